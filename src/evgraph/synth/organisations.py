"""Synthetic organisations: the raters whose schemes the ratings use, their merger, and everyone else.

The raters mirror the real ones: a Guidebook publisher formed by a merger (its predecessor rated on the
pre-2017 scale too), and one clearinghouse per clearinghouse scheme. A rater "uses" a scheme of the
ontology by the fact ``<scheme> ev:ratedBy <rater>``, read from the rater's standards-of-evidence page:
that is what the shapes check a rating's level against.
"""

from __future__ import annotations

from evgraph.synth import shape
from evgraph.synth.trig import Pairs, english, plain, typed
from evgraph.synth.world import (
    CREATED,
    CURATION_GRAPH,
    CURATOR,
    PROVENANCE_GRAPH,
    SOURCES_GRAPH,
    World,
)

ORGANISATION_TYPES = ("University", "Charity", "Research company", "Local authority", "Evaluation consultancy",
                      "University centre", "Think tank", "Programme provider")
#: Clearinghouses, one per clearinghouse scheme: slug, name.
CLEARINGHOUSES = {
    "ev:TitleIVEScheme": ("prevention-clearinghouse", "Synthetic Prevention Services Clearinghouse"),
    "ev:CEBCScheme": ("child-welfare-clearinghouse", "Synthetic Child Welfare Clearinghouse"),
    "ev:BlueprintsScheme": ("youth-development-register", "Synthetic Youth Development Register"),
    "ev:CrimeSolutionsScheme": ("justice-programmes-register", "Synthetic Justice Programmes Register"),
}


def begin(world: World) -> None:
    """The fixed part of every synthetic graph: the curators, the raters and their merger, the Guidebook."""
    about = world.document("about", "other", title="About the synthetic evgraph data")
    world.classes["prov:Agent"] = 1
    world.add("curation", CURATION_GRAPH, CURATOR, [
        ("a", "prov:Agent"), ("rdfs:label", english("evgraph synth (synthetic curators)")),
        ("rdfs:comment", english("The made-up curators of a synthetic graph: they propose its candidate links and record"
                                 " its concerns and discrepancies.")),
        ("dct:source", about)])
    for graph in (CURATION_GRAPH, SOURCES_GRAPH):
        world.classes["ev:AssertionGraph"] = world.classes.get("ev:AssertionGraph", 0) + 1
        world.add("provenance", PROVENANCE_GRAPH, graph, [
            ("a", "ev:AssertionGraph"), ("ev:method", "method:curator-judgement"),
            ("prov:wasAttributedTo", CURATOR), ("dct:created", CREATED)])
    world.department = organisation(world, "Synthetic Department for Children and Families", "Government department",
                                    slug="department")
    early = organisation(world, "Synthetic Early Intervention Centre", "What Works centre", slug="early-intervention-centre")
    social = organisation(world, "Synthetic Social Care Centre", "What Works centre", slug="social-care-centre")
    centre = merger(world, [early, social], "Synthetic What Works Centre", "What Works centre", slug="what-works-centre")
    world.raters = {"ev:GuidebookEvidenceScheme": (early, centre), "ev:GuidebookCostScheme": (early, centre),
                    "ev:GuidebookLegacyEvidenceScheme": (early,)}
    for scheme, (slug, name) in CLEARINGHOUSES.items():
        world.raters[scheme] = (organisation(world, name, "Clearinghouse", slug=slug),)
    for scheme, raters in world.raters.items():
        for rater in raters:
            page = world.document(f"organisation/{rater.split(':', 1)[1]}/standards-of-evidence/{scheme[3:].lower()}",
                                  "organisation-page", rater, "Standards of evidence")
            world.add("organisations", world.read(page), scheme, [("ev:ratedBy", rater), ("dct:source", page)])
    documents = [world.document("guidebook", "guidebook-page", centre, "Synthetic Evidence Guidebook"),
                 world.document("guidebook/about", "guidebook-page", early)]
    world.guidebook = "guidance:synth-guidebook"
    world.node("ratings", world.joint("guidance", "synth-guidebook", documents), world.guidebook, "ev:Guidebook",
               "Synthetic Evidence Guidebook", [
                   ("dct:title", english("Synthetic Evidence Guidebook")), ("skos:altLabel", english("Synthetic Guidebook")),
                   ("dct:publisher", early), ("dct:publisher", centre), ("rdfs:seeAlso", documents[0]),
                   ("skos:note", english("A made-up guidebook that rates made-up programmes on evidence and cost."))]
               + [("dct:source", d) for d in documents])
    world.flush()


def organisation(world: World, label: str | None = None, org_type: str | None = None, slug: str | None = None) -> str:
    """A new organisation, with what its pages say about it; it joins the recent organisations."""
    number = world.serial("organisation")
    slug = slug or f"o{number:05d}"
    org_type = org_type or world.rng.choice(ORGANISATION_TYPES)
    label = label or f"Synthetic {org_type} {number}"
    node = f"orgn:{slug}"
    pages = world.rng.randint(2, 4) if world.chance(shape.ORGANISATION["joint"]) else 1
    documents = [world.document(f"organisation/{slug}/page-{n}", "organisation-page", node, label)
                 for n in range(1, pages + 1)]
    graph = world.facts(node, documents)
    pairs: Pairs = []
    if world.chance(shape.ORGANISATION["organisationType"]):
        pairs.append(("ev:organisationType", plain(org_type)))
    if world.chance(shape.ORGANISATION["altLabel"]):
        pairs += [("skos:altLabel", english(f"SYN{number}{suffix}")) for suffix in ("", "-UK")[:world.rng.randint(1, 2)]]
    if world.chance(shape.ORGANISATION["note"]):
        pairs += [("skos:note", english(f"Synthetic note {n} on {label}.")) for n in range(1, world.rng.randint(1, 4) + 1)]
    if world.chance(shape.ORGANISATION["comment"]):
        pairs.append(("rdfs:comment", english(f"{label} is a made-up {org_type.lower()}.")))
    world.node("organisations", graph, node, "ev:Organisation", label, pairs + [("dct:source", d) for d in documents])
    for n in range(round(world.rng.random() * 2 * shape.STATEMENTS_PER["organisation"])):
        others = [world.organisation()] if world.organisations and world.chance(0.2) else []
        document = world.rng.choice(documents) if world.chance(0.5) else world.document(
            f"news/{slug}/{world.rng.randint(1, 2)}", "press", node)
        world.statement("organisations", [node] + others, world.rng.choice(("founding", "leadership", "funding")),
                        f"Synthetic claim {n + 1} about {label}.", document, node)
    world.organisations.append(node)
    return node


def merger(world: World, originals: list[str], label: str, org_type: str, slug: str | None = None) -> str:
    """Merge ``originals`` into a new organisation (an ``ev:Merger``, dated); returns the new organisation."""
    number = world.serial("merger")
    event = f"event:m{number:04d}"
    resulting = organisation(world, label, org_type, slug)
    started = world.day(2010, 2024)  # talks began; it completed that year or the next
    completed = f"{int(started[:4]) + world.rng.randint(0, 1)}-{world.rng.randint(int(started[5:7]), 12):02d}"
    announcement = world.document(f"news/merger-{number}", "press", title=f"{label} formed by a merger")
    history = world.document(f"organisation/{resulting.split(':', 1)[1]}/history", "organisation-page", resulting)
    graph = world.read(announcement)
    for original in originals:
        world.add("organisations", graph, original, [("org:changedBy", event), ("dct:source", announcement)])
        if original in world.organisations:
            world.organisations.remove(original)
    world.add("organisations", graph, resulting, [("org:resultedFrom", event), ("dct:source", announcement)])
    names = " and ".join(o.split(":", 1)[1] for o in originals)
    world.node("organisations", world.joint("event", f"m{number:04d}", [announcement, history]), event, "ev:Merger",
               f"Merger of {names} into {label}", [
                   ("dct:date", typed(completed, "gYearMonth")),
                   ("prov:startedAtTime", typed(f"{started}T00:00:00", "dateTime"))]
               + [("org:originalOrganization", o) for o in originals] + [
                   ("org:resultingOrganization", resulting),
                   ("skos:note", english("Talks started on the prov:startedAtTime; no source gives the day it completed.")),
                   ("dct:source", announcement), ("dct:source", history)])
    for step in ("talks announced", "boards agreed", "launched under the new name")[:world.rng.randint(2, 3)]:
        world.statement("organisations", [event, resulting], "merger timeline", f"{label}: {step}.", history, resulting)
    return resulting
