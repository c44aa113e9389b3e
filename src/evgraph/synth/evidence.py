"""One synthetic intervention and what rests on it: its studies with their reports and findings, its ratings,
curation's candidate links, and the publications, statements and discrepancies about it.

Each is read from documents of its own (a programme page, a provider page, one document per report), so
every unit of the graph holds its own named graphs and records.
"""

from __future__ import annotations

from dataclasses import dataclass

from evgraph.synth import shape
from evgraph.synth.trig import Pairs, decimal, english, plain, typed
from evgraph.synth.world import OUTCOMES, THEMES, StudyRef, World

KIND_NOUNS = {"kind:programme": "programme", "kind:intervention-type": "intervention type",
              "kind:practice-model": "practice model"}
SETTINGS = ("Home", "School", "Children's centre", "Community", "Outpatient setting", "Foster home")
REPORT_TYPES = ("research-report", "journal-article", "academic-repository", "mirror", "bibliographic-record")
#: Where a rating was read from, by how it was read: the type of that document.
BASIS_DOCUMENTS = {"basis:third-party-mirror": "mirror", "basis:provider-claim": "provider-claim",
                   "basis:third-party-report": "research-summary", "basis:published-page": "clearinghouse-page"}
GUIDEBOOK_SCHEMES = ("ev:GuidebookEvidenceScheme", "ev:GuidebookLegacyEvidenceScheme")


@dataclass(frozen=True)
class Given:
    """A rating given in this unit, for a later rating of the same intervention to revise or conflict with."""

    node: str
    scheme: str
    rater: str
    graph: str
    since: int | None


def intervention(world: World, room: int, schemes_left: list[str]) -> None:
    """An intervention with its studies, ratings, candidate links, publication, statement and discrepancy.

    :param room: triples still wanted: near the end, fewer studies are drawn so the target is not overshot.
    :param schemes_left: rating schemes no rating uses yet; the next ratings use them first.
    """
    number = world.serial("intervention")
    slug = f"i{number:06d}"
    node = f"intervention:{slug}"
    kind = world.pick(shape.INTERVENTION_KINDS)
    label = f"Synthetic {KIND_NOUNS[kind]} {number} ({world.rng.choice(THEMES)})"
    share = shape.INTERVENTION
    page = world.document(f"programme/{slug}", "guidebook-page", world.raters["ev:GuidebookEvidenceScheme"][-1], label)
    documents = [page]
    if world.chance(share["more documents"]):
        documents.append(world.document(f"provider/{slug}", "provider-claim", title=label) if world.chance(0.2) else
                         world.document(f"programme/{slug}/archive", "guidebook-page", title=label))
    pairs: Pairs = [("ev:kind", kind)]
    if world.chance(share["altLabel"]):
        pairs.append(("skos:altLabel", english(f"SP{number}")))
    if world.chance(share["note"]):
        pairs += [("skos:note", english(f"Synthetic note {n} on the programme.")) for n in range(1, world.rng.randint(1, 2) + 1)]
    if world.chance(share["deliveryModel"]):
        pairs.append(("ev:deliveryModel", plain(world.rng.choice(("Group", "Individual", "Home visiting", "Online")))))
    ages = world.rng.random()
    if ages < share["ageRange"]:
        low = world.rng.randint(0, 12)
        high = low + world.rng.randint(2, 8)
        pairs.append(("ev:ageRange", plain(f"{low} to {high} years old")))
        if ages < share["ages"]:
            pairs += [("ev:minAgeYears", decimal(low)), ("ev:maxAgeYears", decimal(high))]
    if world.chance(share["seeAlso"]):
        pairs.append(("rdfs:seeAlso", page))
    need = world.pick(shape.NEEDS) if world.chance(share["levelOfNeed"]) else None
    if need:
        pairs.append(("ev:levelOfNeed", need))
    if world.chance(share["workforce"]):
        pairs.append(("ev:workforce", plain(world.rng.choice(("Social worker", "Trained practitioner", "Teacher",
                                                               "Family therapist", "Volunteer mentor")))))
    if world.chance(share["setting"]):
        pairs += [("ev:setting", plain(s)) for s in world.rng.sample(SETTINGS, world.rng.randint(1, 2))]
    if world.chance(share["description"]):
        pairs.append(("dct:description", english(f"A made-up {KIND_NOUNS[kind]} for benchmarks.")))
    if world.chance(share["improvesOutcome"]):
        pairs += [("ev:improvesOutcome", o) for o in world.rng.sample(shape.OUTCOMES, world.rng.randint(1, 3))]
    if world.chance(share["childOutcome"]):
        pairs += [("ev:childOutcome", plain(f"Improved {o}")) for o in world.rng.sample(OUTCOMES, world.rng.randint(1, 2))]
    for prop in ("issued", "lastReviewed"):
        if world.chance(share[prop]):
            pairs.append(("dct:issued" if prop == "issued" else "ev:lastReviewed",
                          typed(f"{world.rng.randint(2012, 2025)}-{world.rng.randint(1, 12):02d}", "gYearMonth")))
    if world.chance(share["developedBy"]):
        pairs.append(("ev:developedBy", world.organisation()))
    if world.chance(share["ukAvailable"]):
        pairs.append(("ev:ukAvailable", world.rng.choice(("true", "false"))))
    world.node("interventions", world.facts(node, documents), node, "ev:Intervention", label,
               pairs + [("dct:source", d) for d in documents])
    if need:
        world.add("interventions", world.words(node, documents), node,
                  [("ev:levelOfNeedDescription", plain(need.split(":", 1)[1].replace("-", " ").capitalize()))])

    count = world.pick(shape.STUDIES_PER_INTERVENTION)
    if room < 1500:
        count = min(count, max(0, (room - 300) // 150))
    studies: list[StudyRef] = []
    for k in range(1, count + 1):
        studies.append(study(world, node, label, f"{slug}-s{k}", studies))

    ratings = world.pick(shape.RATINGS_PER_INTERVENTION)
    if schemes_left:
        ratings = max(ratings, 1)
    given: list[Given] = []
    for j in range(1, ratings + 1):
        scheme = schemes_left.pop(0) if schemes_left else world.pick({s: w for s, (w, _, _) in shape.SCHEMES.items()})
        given.append(rating(world, node, label, slug if j == 1 else f"{slug}--{j}", page, studies, scheme, given))

    if world.chance(shape.PER_INTERVENTION["publication"]):
        publication(world, node, label, slug)
    if world.chance(shape.PER_INTERVENTION["statement"]):
        about = [node] + ([world.rng.choice(studies).node] if studies and world.chance(0.4) else [])
        world.statement("interventions", about, world.rng.choice(("evaluation", "headline findings", "programme scope")),
                        f"Synthetic claim about {label}.", _news(world, slug), world.organisation())
    if world.chance(shape.PER_INTERVENTION["discrepancy"]):
        concerned = given[0].node if given else (studies[0].node if studies else node)
        sources = documents if len(documents) > 1 else documents + [studies[0].document if studies else _news(world, slug)]
        world.curation(f"discrepancy:{slug}", "ev:Discrepancy", f"Sources disagree about {label}", sources, [
            ("ev:concerns", node)] + ([("ev:concerns", concerned)] if concerned != node else []) + [
            ("ev:topic", plain(world.rng.choice(("programme details", "rating", "evaluation dates")))),
            ("rdf:value", plain(f"Two pages give different details of {label}."))])


def _news(world: World, slug: str) -> str:
    return world.document(f"news/{slug}", "press")


def study(world: World, intervention: str, programme: str, slug: str, siblings: list[StudyRef]) -> StudyRef:
    """A study of an intervention, read from its reports (or a project page), with its reports and findings."""
    share = shape.STUDY
    node = f"study:{slug}"
    designs = world.picks(shape.DESIGNS, world.pick(shape.DESIGNS_PER_STUDY)) if world.chance(share["design"]) else []
    label = f"Synthetic {designs[0].split(':', 1)[1].replace('-', ' ') if designs else 'study'} {slug} of {programme}"
    reports = [world.document(f"report/{slug}-r{r}", world.rng.choice(REPORT_TYPES), world.organisation(),
                              f"Report {r} of {label}") for r in range(1, world.pick(shape.REPORTS_PER_STUDY) + 1)]
    documents = list(reports) or [world.document(f"project/{slug}", "organisation-page", world.organisation())]
    if len(documents) == 1 and world.chance(share["more documents"]):
        documents.append(world.document(f"registry/{slug}", world.rng.choice(("trial-registry", "organisation-page"))))
    pairs: Pairs = [("ev:evaluates", intervention)] + [("ev:design", d) for d in designs]
    quoted: Pairs = []
    if designs:
        quoted.append(("ev:designDescription", plain(" with ".join(d.split(":", 1)[1] for d in designs))))
    else:
        pairs.append(("ev:designNotRecorded", plain("The sources read describe the study without naming its design.")))
        if world.chance(0.3):
            quoted.append(("ev:designDescription", plain("an evaluation")))
    if world.chance(share["note"]):
        pairs += [("skos:note", english(f"Synthetic note {n} on the study.")) for n in range(1, world.rng.randint(1, 3) + 1)]
    if world.chance(share["country"]):
        countries = world.picks(shape.COUNTRIES, 2 if world.chance(share["two countries"]) else 1)
        pairs += [("ev:country", c) for c in countries]
        quoted.append(("ev:countryDescription", plain(" and ".join(c.split(":", 1)[1] for c in countries))))
    if world.chance(share["sampleDescription"]):
        pairs.append(("ev:sampleDescription", plain("Families referred to children's services")))
    if world.chance(share["evaluatedBy"]):
        pairs += [("ev:evaluatedBy", o) for o in world.rng.sample(world.organisations, 2 if world.chance(0.15) else 1)]
    arms = (world.rng.randint(8, 400), world.rng.randint(8, 400)) if world.chance(share["arms"]) else None
    if arms:
        pairs += [("ev:interventionArmSize", str(arms[0])), ("ev:controlArmSize", str(arms[1]))]
    if world.chance(share["sampleSize"]):
        total = sum(arms) + world.rng.randint(0, 30) if arms else world.rng.randint(10, 2000)
        pairs.append(("ev:sampleSize", str(total)))
    if world.chance(share["commissionedBy"]):
        pairs.append(("ev:commissionedBy", world.organisation()))
    if world.chance(share["localAuthority"]):
        pairs += [("ev:localAuthority", plain(f"Synthetic Borough {n}"))
                  for n in world.rng.sample(range(1, 400), world.rng.randint(1, 4))]
    for prop, value in (("status", "completed"), ("population", "Children aged 3 to 11 and their carers"),
                        ("followUpDescription", "At the end of the programme and a year later")):
        if world.chance(share[prop]):
            pairs.append((f"ev:{prop}", plain(value)))
    if world.chance(share["followUpMonths"]):
        pairs.append(("ev:followUpMonths", decimal(world.rng.choice((6, 12, 18, 24)))))
    if world.chance(share["trialRegistration"]):
        pairs.append(("ev:trialRegistration", plain(f"ISRCTN{world.serial('registration'):08d}")))
    world.node("studies", world.facts(node, documents), node, "ev:Study", label,
               pairs + [("dct:source", d) for d in documents])
    if quoted:
        world.add("studies", world.words(node, documents), node, quoted)
    described = [report(world, f"report:{slug}-r{number}", document, node, label, number, siblings)
                 for number, document in enumerate(reports, start=1)]
    if world.chance(share["findings"]):
        for number in range(1, world.pick(shape.FINDINGS_PER_STUDY) + 1):
            finding(world, f"finding:{slug}-f{number}", node, label, described, documents[:1])
    ref = StudyRef(node, intervention, label, documents[0])
    world.studies.append(ref)
    return ref


def report(world: World, node: str, document: str, study: str, label: str, number: int,
           siblings: list[StudyRef]) -> tuple[str, list[str]]:
    """A report of a study, read from its own document (and a record of it); returns the report and its documents."""
    share = shape.REPORT
    documents = [document]
    if world.chance(share["more documents"]):
        documents.append(world.document(f"record/{node.split(':', 1)[1]}",
                                        world.rng.choice(("bibliographic-record", "academic-repository", "mirror"))))
    pairs: Pairs = [("dct:title", english(f"Outcomes of {label}, report {number}")), ("ev:reportsStudy", study)]
    if siblings and world.chance(share["second study"]):
        pairs.append(("ev:reportsStudy", siblings[-1].node))
    if world.chance(share["authorNames"]):
        pairs.append(("ev:authorNames", plain("Author A, Author B, Author C")))
    if world.chance(share["publicationType"]):
        pairs.append(("ev:publicationType", plain(world.rng.choice(("Journal article", "Evaluation report", "Protocol")))))
    when = world.rng.random()
    if when < share["issued"]:
        pairs.append(("dct:issued", world.date()))
    elif when < share["issued"] + share["year"]:
        pairs.append(("ev:year", typed(str(world.rng.randint(2005, 2025)), "gYear")))
    for prop, chance in (("dct:creator", share["creator"]), ("dct:publisher", share["publisher"])):
        if world.chance(chance):
            pairs.append((prop, world.organisation()))
    if world.chance(share["note"]):
        pairs.append(("skos:note", english("Synthetic note on the report.")))
    if world.chance(share["citation"]):
        pairs.append(("dct:bibliographicCitation", plain(f"Synthetic Journal of Evaluation {world.rng.randint(1, 40)}")))
    if world.chance(share["description"]):
        pairs.append(("dct:description", english("A made-up report of a made-up trial.")))
    if world.chance(share["doi"]):
        pairs.append(("bibo:doi", plain(f"10.5555/synth.{node.split(':', 1)[1]}")))
    if world.chance(share["status"]):
        pairs.append(("ev:status", plain("published")))
    world.node("studies", world.facts(node, documents), node, "ev:Report", f"Report {number} of {label}",
               pairs + [("dct:source", d) for d in documents])
    return node, documents


def finding(world: World, node: str, study: str, label: str, reports: list[tuple[str, list[str]]],
            fallback: list[str]) -> None:
    """A result of a study on one outcome, read from the documents of the report it was published in."""
    share = shape.FINDING
    outcome = world.rng.choice(OUTCOMES)
    pairs: Pairs = [("ev:ofStudy", study), ("ev:outcomeDescription", plain(outcome))]
    documents = fallback
    if reports and world.chance(share["reportedIn"]):
        published_in, documents = world.rng.choice(reports)
        pairs.append(("ev:reportedIn", published_in))
    if world.chance(share["direction"]):
        pairs.append(("ev:direction", world.pick(shape.DIRECTIONS)))
    if world.chance(share["note"]):
        pairs.append(("skos:note", english("Synthetic note on the finding.")))
    if world.chance(share["followUpDescription"]):
        pairs.append(("ev:followUpDescription", plain("Measured after the programme ended")))
    if world.chance(share["significant"]):
        pairs.append(("ev:significant", "true" if world.chance(share["significant true"]) else "false"))
    if world.chance(share["followUpMonths"]):
        pairs.append(("ev:followUpMonths", decimal(world.rng.choice((3, 6, 12, 18, 24, 36)))))
    if world.chance(share["outcomeDomain"]):
        pairs.append(("ev:outcomeDomain", world.rng.choice(shape.OUTCOMES)))
    if world.chance(share["effectSize"]):
        pairs.append(("ev:effectSize", decimal(world.rng.uniform(-0.2, 0.8))))
    world.node("studies", world.facts(node, documents), node, "ev:Finding", f"{label}: {outcome}",
               pairs + [("dct:source", d) for d in documents])


def rating(world: World, intervention: str, programme: str, slug: str, page: str, studies: list[StudyRef],
           scheme: str, given: list[Given]) -> Given:
    """A published rating of an intervention in one scheme, attributed to an organisation that uses the scheme.

    A second rating in the same scheme by the same rater revises the first; by another rater, it conflicts
    with it.
    """
    _, levels, bases = shape.SCHEMES[scheme]
    share = shape.RATING
    node = f"rating:{slug}"
    rater = world.rng.choice(world.raters[scheme])
    level, basis = world.pick(levels), world.pick(bases)
    if scheme == "ev:GuidebookEvidenceScheme" and not given and basis not in BASIS_DOCUMENTS:
        document = page
    else:
        document = world.document(f"rating/{slug}", BASIS_DOCUMENTS.get(basis, "guidebook-page"), rater)
    graph = world.read(document)
    stated = level.split(":", 1)[1].replace("plus", "+").replace("-", " ").capitalize()
    pairs: Pairs = [("ev:rates", intervention), ("ev:ratingBasis", basis), ("prov:wasAttributedTo", rater)]
    if scheme in GUIDEBOOK_SCHEMES:
        pairs.append(("ev:inGuidance", world.guidebook))
        if scheme == GUIDEBOOK_SCHEMES[0] and world.chance(share["mixedFindings"]):
            stated += "*"
            pairs.append(("ev:mixedFindings", "true"))
        if scheme == GUIDEBOOK_SCHEMES[0] and world.chance(share["cost"]):
            pairs.append(("ev:costRating", world.pick(shape.COSTS)))
        if world.reviews and world.chance(share["wasDerivedFrom"]):
            pairs.append(("prov:wasDerivedFrom", world.rng.choice(world.reviews).node))
    elif scheme == "ev:TitleIVEScheme":
        pairs.append(("ev:ratingArea", plain(world.rng.choice(("Mental Health", "Kinship Navigator", "Child Well-Being")))))
    if world.chance(share["reviewVersion"]):
        pairs.append(("ev:reviewVersion", plain(f"Synthetic review round {world.rng.randint(1, 5)}")))
    if world.chance(share["note"]):
        pairs += [("skos:note", english(f"Synthetic note {n} on the rating.")) for n in range(1, world.rng.randint(1, 2) + 1)]
    if world.chance(share["lastReviewed"]):
        pairs.append(("ev:lastReviewed", typed(str(world.rng.randint(2015, 2025)), "gYear")))
    confirmed = []
    if studies and world.chance(shape.CONFIRMED["rating"]):
        confirmed = world.rng.sample(studies, world.rng.randint(1, len(studies)))
        pairs += [("ev:basedOn", s.node) for s in confirmed]
    since = None
    for earlier in reversed(given):  # the latest rating in the same scheme
        if earlier.scheme != scheme:
            continue
        if earlier.rater == rater:
            since = max(world.rng.randint(2016, 2025), earlier.since or 0)
            pairs += [("prov:wasRevisionOf", earlier.node), ("ev:validFrom", typed(str(since), "gYear"))]
            world.add("ratings", earlier.graph, earlier.node, [("ev:validUntil", typed(str(since), "gYear"))])
        else:
            pairs.append(("ev:conflictsWith", earlier.node))
            world.add("ratings", earlier.graph, earlier.node, [("ev:conflictsWith", node)])
        break
    label = f"Rating of {programme}: {stated}"
    world.node("ratings", graph, node, "ev:Rating", label, pairs + [("dct:source", document)])
    words = world.inferred(document) if basis in shape.INFERRED_BASES else None
    if words:
        world.add("ratings", words, node, [("ev:evidenceLevel", level), ("ev:levelAsStated", plain(stated))])
    else:
        world.add("ratings", graph, node, [("ev:evidenceLevel", level)])
        world.add("ratings", world.quoted(document), node, [("ev:levelAsStated", plain(stated))])
    for proposed in studies:
        if proposed not in confirmed and world.chance(shape.CANDIDATE_SHARE["rating"]):
            candidate(world, node, label, proposed, [document, proposed.document])
    return Given(node, scheme, rater, graph, since)


def candidate(world: World, claim: str, claim_label: str, proposed: StudyRef, sources: list[str]) -> None:
    """Curation's proposal that ``proposed`` is evidence for a rating or recommendation, unconfirmed by any source."""
    node = f"candidate:{claim.split(':', 1)[1]}--{proposed.node.split(':', 1)[1]}"
    world.curation(node, "ev:CandidateEvidence", f"Candidate evidence: {proposed.label}, for {claim_label}", sources, [
        ("ev:linkBasis", plain("A study of the same programme; no source says the claim rests on it.")),
        ("ev:proposedFor", claim), ("ev:proposedStudy", proposed.node)])


def publication(world: World, intervention: str, programme: str, slug: str) -> None:
    """A publication about an intervention that reports no single study (a methods note, a briefing)."""
    publisher = world.organisation()
    title = f"Briefing on {programme}"
    document = world.document(f"publication/{slug}", world.rng.choice(("organisation-page", "research-report")),
                              publisher, title)
    pairs: Pairs = [("dct:title", english(title)), ("ev:publicationType", plain(world.rng.choice(
        ("Methods note", "Policy paper", "Practice briefing"))))]
    pairs += [("skos:note", english(f"Synthetic note {n} on the publication.")) for n in range(1, world.rng.randint(1, 4) + 1)]
    for prop, value in (("dct:publisher", publisher), ("dct:creator", world.organisation()),
                        ("ev:about", intervention), ("dct:description", english("A made-up briefing.")),
                        ("dct:issued", world.date())):
        if world.chance(shape.PUBLICATION[prop.split(":", 1)[1]]):
            pairs.append((prop, value))
    world.node("interventions", world.read(document), f"pub:{slug}", "ev:Publication", title,
               pairs + [("dct:source", document)])
