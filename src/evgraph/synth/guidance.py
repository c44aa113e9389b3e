"""Synthetic evidence reviews and practice guides: what a review includes and how it appraised each study,
the recommendations a guide makes on a review, and the statements and concerns about them.

A review includes several recent studies (so one study may be included by several reviews), and a guide
rests on the latest review: its recommendations are about the interventions that review's studies
evaluate, so the studies a recommendation rests on were appraised where it says they were.
"""

from __future__ import annotations

from evgraph.synth import shape
from evgraph.synth.evidence import candidate
from evgraph.synth.trig import Pairs, english, plain, typed
from evgraph.synth.world import OUTCOMES, THEMES, ReviewRef, World


def review(world: World) -> bool:
    """An evidence review of recent studies, with its appraisals and conclusions; False when there are too few."""
    if len(world.studies) < 2:
        return False
    share = shape.REVIEW
    number = world.serial("review")
    slug = f"r{number:05d}"
    node = f"review:{slug}"
    types = world.picks(shape.REVIEW_TYPES, 2 if world.chance(share["two types"]) else 1)
    label = f"Synthetic {types[0].split(':', 1)[1].replace('-', ' ')} review {number} ({world.rng.choice(THEMES)})"
    publisher, creator = world.organisation(), world.organisation()
    documents = [world.document(f"review/{slug}", "evidence-review", publisher, label)]
    if world.chance(share["more documents"]):
        documents.append(world.document(f"review/{slug}/project", "organisation-page", publisher))
    low, high = shape.INCLUDED_PER_REVIEW
    included = world.rng.sample(list(world.studies), min(len(world.studies), world.rng.randint(low, high)))
    pairs: Pairs = [("dct:title", english(label))] + [("ev:reviewType", t) for t in types]
    pairs += [("skos:note", english(f"Synthetic note {n} on the review.")) for n in range(1, world.rng.randint(1, 3) + 1)]
    judges = []
    for prop, organisation in (("dct:publisher", publisher), ("dct:creator", creator)):
        if world.chance(share[prop.split(":")[1]]):
            pairs.append((prop, organisation))
            judges.append(organisation)
    if not judges:  # its appraisals are attributed to whoever made the review
        pairs.append(("dct:creator", creator))
        judges.append(creator)
    when = world.rng.random()
    if when < share["issued"]:
        pairs.append(("dct:issued", world.date(2012)))
    elif when < share["issued"] + share["year"]:
        pairs.append(("ev:year", typed(str(world.rng.randint(2012, 2025)), "gYear")))
    optional = (("publicationType", "ev:publicationType", plain("Systematic review report")),
                ("description", "dct:description", english("A made-up review of made-up studies.")),
                ("authorNames", "ev:authorNames", plain("Reviewer A, Reviewer B")),
                ("sampleDescription", "ev:sampleDescription", plain("Impact evaluations in high-income countries")),
                ("population", "ev:population", plain("Children in need and their families")),
                ("paperCount", "ev:paperCount", str(len(included) + world.rng.randint(0, 10))),
                ("listAvailable", "ev:includedStudyListAvailable", "true"),
                ("impactStudyCount", "ev:impactStudyCount", str(len(included) + world.rng.randint(0, 5))),
                ("altLabel", "skos:altLabel", english(f"Review {number}")),
                ("about", "ev:about", included[0].intervention),
                ("qualitativeStudyCount", "ev:qualitativeStudyCount", str(world.rng.randint(0, 8))),
                ("commissionedBy", "ev:commissionedBy", world.department),
                ("riskOfBiasTool", "ev:riskOfBiasTool", plain("Synthetic appraisal tool")))
    pairs += [(prop, value) for key, prop, value in optional if world.chance(share[key])]
    world.node("reviews", world.facts(node, documents), node, "ev:EvidenceReview", label,
               pairs + [("dct:source", d) for d in documents])
    graph = world.read(documents[0])
    world.add("reviews", graph, node, [("ev:includes", s.node) for s in included])
    judge = judges[-1]
    for study in included:
        if world.chance(shape.APPRAISED):
            world.node("reviews", graph, f"appraisal:{slug}--{study.node.split(':', 1)[1]}", "ev:Appraisal",
                       f"Risk of bias of {study.label}, as judged in review {number}", [
                           ("ev:appraises", study.node), ("ev:riskOfBias", world.pick(shape.RISKS_OF_BIAS)),
                           ("ev:appraisedIn", node), ("prov:wasAttributedTo", judge), ("dct:source", documents[0])])
    for n in range(round(world.rng.random() * 2 * shape.STATEMENTS_PER["review"])):
        world.statement("reviews", [node], "review conclusion", f"Synthetic conclusion {n + 1} of review {number}.",
                        world.document(f"review/{slug}/summary", "research-summary"), judge, [("ev:conclusionOf", node)])
    world.reviews.append(ReviewRef(node, label, documents[0], tuple(included)))
    return True


def guide(world: World) -> bool:
    """A practice guide on the latest review with included studies, with its recommendations; False when none."""
    review = next((r for r in reversed(world.reviews) if r.included), None)
    if review is None:
        return False
    number = world.serial("guide")
    slug = f"g{number:04d}"
    node = f"guidance:{slug}"
    publisher = world.raters["ev:GuidebookEvidenceScheme"][-1]
    label = f"Synthetic practice guide {number} ({world.rng.choice(THEMES)})"
    documents = [world.document(f"guide/{slug}", "practice-guide", publisher, label),
                 world.document(f"guide/{slug}/evidence-summary", "practice-guide", publisher)]
    documents += [world.document(f"guide/{slug}/coverage-{n}", world.rng.choice(("press", "government", "organisation-page")))
                  for n in range(1, world.rng.randint(1, 4) + 1)]
    pairs: Pairs = [("dct:title", english(label)), ("dct:publisher", publisher),
                    ("ev:commissionedBy", world.department), ("ev:basedOn", review.node),
                    ("skos:note", english("Synthetic note on the guide.")),
                    ("skos:note", english("Written for a benchmark, not for practice."))]
    if world.chance(shape.GUIDE["issued"]):
        pairs.append(("dct:issued", world.date(2018)))
    if world.chance(shape.GUIDE["population"]):
        pairs.append(("ev:population", plain("Children in need and their carers")))
    world.node("guides", world.joint("guidance", slug, documents), node, "ev:PracticeGuide", label,
               pairs + [("dct:source", d) for d in documents])
    press = world.document(f"news/{slug}-summary", "press", title=f"What {label} recommends")
    interventions = list(dict.fromkeys(s.intervention for s in review.included))
    recommendations = [recommendation(world, node, slug, k, review, interventions, publisher, documents[1], press)
                       for k in range(1, world.pick(shape.RECOMMENDATIONS_PER_GUIDE) + 1)]
    for n in range(round(world.rng.random() * 2 * shape.STATEMENTS_PER["guide"])):
        about = [node] + ([review.node] if world.chance(0.3) else [])
        world.statement("guides", about, world.rng.choice(("evidence base", "guide implementation", "guide context")),
                        f"Synthetic claim {n + 1} about {label}.", world.rng.choice(documents), publisher)
    for n in range(1, world.pick(shape.CONCERNS_PER_GUIDE) + 1):
        concerned = world.rng.sample(recommendations, min(len(recommendations), world.rng.randint(1, 3)))
        pairs = [("ev:concerns", c) for c in concerned] + [
            ("ev:concerns", review.node), ("ev:topic", plain(f"{label}: strength of evidence")),
            ("rdf:value", plain("The guide's strength reads stronger than the review's own conclusion."))]
        if world.chance(shape.CONCERN["date"]):
            pairs.append(("dct:date", world.date(2019)))
        world.curation(f"concern:{slug}-c{n}", "ev:Concern", f"Concern {n} about {label}", documents[:2] + [press], pairs)
    return True


def recommendation(world: World, guide: str, guide_slug: str, number: int, review: ReviewRef, interventions: list[str],
                   publisher: str, summary: str, press: str) -> str:
    """A recommendation of a guide about interventions the guide's review has studies of."""
    share = shape.RECOMMENDATION
    slug = f"{guide_slug}-rec{number}"
    node = f"rec:{slug}"
    about = world.rng.sample(interventions, min(len(interventions), 2 if world.chance(share["two interventions"]) else 1))
    label = f"Recommendation {number} of guide {guide_slug}: offer {about[0].split(':', 1)[1]}"
    page = world.document(f"guide/{guide_slug}/recommendation-{number}", "practice-guide", publisher, label)
    strength = world.pick(shape.STRENGTHS) if world.chance(share["strength"]) else None
    second_hand = strength is not None and world.chance(share["second-hand"])
    documents = [page, press] if second_hand else [page, summary] if world.chance(share["joint"]) else [page]
    pairs: Pairs = [("dct:description", english(f"Offer {', '.join(a.split(':', 1)[1] for a in about)} to families who need it.")),
                    ("prov:wasDerivedFrom", review.node), ("ev:inGuidance", guide)]
    pairs += [("ev:about", a) for a in about]
    pairs += [("ev:outcomeDescription", plain(o)) for o in world.rng.sample(OUTCOMES, world.rng.randint(1, 3))]
    if world.chance(share["population"]):
        pairs.append(("ev:population", plain("Families with children aged 0 to 10")))
    if world.chance(share["outcomeDomain"]):
        pairs.append(("ev:outcomeDomain", world.rng.choice(shape.OUTCOMES)))
    if world.chance(share["note"]):
        pairs.append(("skos:note", english("Synthetic note on the recommendation.")))
    stated = plain(f"{strength.split(':', 1)[1]} evidence") if strength else None
    if strength is None:
        pairs.append(("ev:strengthNotRecorded", plain("The guide's page for this recommendation gives no strength.")))
    elif not second_hand:
        pairs.append(("ev:publishedStrength", strength))
    studies = [s for s in review.included if s.intervention in about]
    confirmed = []
    if studies and world.chance(shape.CONFIRMED["recommendation"]):
        confirmed = world.rng.sample(studies, world.rng.randint(1, len(studies)))
        pairs += [("ev:supportedBy", s.node) for s in confirmed]
    graph = world.facts(node, documents)
    world.node("guides", graph, node, "ev:Recommendation", label, pairs + [("dct:source", d) for d in documents])
    if second_hand:
        world.add("guides", world.second_hand(press, guide), node,
                  [("ev:publishedStrength", strength), ("ev:strengthAsStated", stated)])
    elif stated:
        world.add("guides", world.words(node, documents), node, [("ev:strengthAsStated", stated)])
    others = [s for s in world.studies if s.intervention in about and s not in confirmed]
    for proposed in others:
        if world.chance(shape.CANDIDATE_SHARE["recommendation"]):
            candidate(world, node, label, proposed, [page, proposed.document])
    return node
