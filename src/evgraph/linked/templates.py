"""The partner CSV templates: one kind of row per file, each column with its type and ontology property.

``templates/*.csv`` (header rows) and ``templates/README.md`` describe the same columns; a test keeps
them in step with :data:`KINDS`. Columns of type ``scheme`` accept the ``skos:notation`` or the IRI's
local name of any concept of the named SKOS scheme, read from ``ontology/schemes/`` when ingesting,
so a new level needs no code.
"""

from __future__ import annotations

from dataclasses import dataclass

from evgraph.namespaces import BIBO, DCTERMS, EV, PROV, RDFS, Namespace

#: Value types a column may have.
TYPES = {
    "slug": "lower-case letters, digits and hyphens, or the full IRI of an existing node",
    "text": "free text",
    "url": "the http(s) URL of a document",
    "integer": "a whole number, zero or more",
    "number": "a number, zero or more",
    "boolean": "true or false",
    "year": "a four-digit year",
    "doi": "a DOI such as 10.1000/xyz, without https://doi.org/",
    "ref": "the slug or IRI of a node in this batch or already in the graph",
    "scheme": "the notation or IRI local name of a concept of the scheme",
}


@dataclass(frozen=True)
class Column:
    """One template column: its value type, the property it fills and what it means."""

    name: str
    type: str
    property: str | None
    required: bool
    description: str
    example: str
    #: For ``ref`` columns: the classes a referenced node may have; for ``scheme`` columns: the scheme.
    target: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One template: the class its rows describe and the id type of the IRIs they mint."""

    name: str
    cls: str | None
    id_type: str | None
    columns: tuple[Column, ...]
    description: str

    def column(self, name: str) -> Column | None:
        """The column of that name, or None."""
        return next((c for c in self.columns if c.name == name), None)


SOURCE = Column("source", "url", str(DCTERMS.source), True,
                "The document that states the row's facts; it becomes the node's dct:source and names the graph"
                " the facts are recorded in.", "https://example.org/partner/evaluation-report")

SOURCE_TYPE = Column("source_type", "scheme", None, False,
                     "What kind of document the source is (its ev:sourceType); used only when the graph has no"
                     " ev:Source record for it yet, sourcetype:other when empty.", "research-report",
                     ("SourceTypeScheme",))


def _slug(example: str) -> Column:
    return Column("slug", "slug", None, True, "The node's identifier: a new slug mints "
                  "https://w3id.org/evgraph/id/<type>/<slug>; an existing slug or IRI adds facts to that node.",
                  example)


def _label(example: str) -> Column:
    return Column("label", "text", str(RDFS.label), False,
                  "A human-readable name (rdfs:label); required for a new node.", example)


def _ref(name: str, prop: str, required: bool, description: str, example: str, *classes: str) -> Column:
    return Column(name, "ref", prop, required, description, example, tuple(classes))


def _scheme(name: str, prop: str, required: bool, scheme: str, description: str, example: str) -> Column:
    return Column(name, "scheme", prop, required, description, example, (scheme,))


STUDY, INTERVENTION, REPORT = str(EV.Study), str(EV.Intervention), str(EV.Report)
REVIEW, GUIDANCE, ORGANISATION = str(EV.EvidenceReview), str(EV.Guidance), str(EV.Organisation)
RECOMMENDATION, RATING, AGENT = str(EV.Recommendation), str(EV.Rating), str(PROV.Agent)

#: Every template, in the order rows are mapped (a node is minted before rows that point at it).
KINDS: tuple[Kind, ...] = (
    Kind("interventions", str(EV.Intervention), "intervention", (
        _slug("family-mentoring"), _label("Family mentoring programme"),
        _scheme("kind", str(EV.kind), False, "InterventionKindScheme", "What kind of intervention it is.",
                "programme"),
        SOURCE, SOURCE_TYPE), "Programmes, practice models and intervention types."),
    Kind("studies", str(EV.Study), "study", (
        _slug("family-mentoring-rct"), _label("Family mentoring RCT (Leeds)"),
        _ref("evaluates", str(EV.evaluates), False, "The intervention the study evaluates.", "family-mentoring",
             INTERVENTION),
        _scheme("design", str(EV.design), False, "StudyDesignScheme", "The study design.", "rct"),
        Column("design_description", "text", str(EV.designDescription), False,
               "The design in the source's own words.", "randomised controlled trial"),
        _scheme("country", str(EV.country), False, "CountryScheme", "Where the study was run.", "GB"),
        Column("intervention_arm_size", "integer", str(EV.interventionArmSize), False,
               "Participants in the intervention arm.", "40"),
        Column("control_arm_size", "integer", str(EV.controlArmSize), False, "Participants in the control arm.", "38"),
        Column("sample_size", "integer", str(EV.sampleSize), False, "Participants in all.", "78"),
        SOURCE, SOURCE_TYPE), "Trials and other evaluations: one row per study, however many papers report it."),
    Kind("reports", str(EV.Report), "report", (
        _slug("family-mentoring-rct-main-paper"), _label("Main paper of the family mentoring RCT"),
        Column("title", "text", str(DCTERMS["title"]), False, "The publication's title (required for a new report).",
               "Family mentoring for children in care: a randomised trial"),
        _ref("study", str(EV.reportsStudy), False, "The study the report describes (required for a new report).",
             "family-mentoring-rct", STUDY),
        Column("year", "year", str(EV.year), False, "Year of publication.", "2023"),
        Column("doi", "doi", str(BIBO.doi), False, "The DOI.", "10.1000/fm.2023.1"),
        SOURCE, SOURCE_TYPE), "Publications about one study."),
    Kind("findings", str(EV.Finding), "finding", (
        _slug("family-mentoring-rct-wellbeing"), _label("Better wellbeing at 12 months"),
        _ref("study", str(EV.ofStudy), False, "The study the finding belongs to (required for a new finding).",
             "family-mentoring-rct", STUDY),
        Column("outcome", "text", str(EV.outcomeDescription), False,
               "The outcome it is about (required for a new finding).", "child wellbeing"),
        _scheme("direction", str(EV.direction), False, "EffectDirectionScheme", "Direction of the effect.",
                "favourable"),
        Column("significant", "boolean", str(EV.significant), False, "Statistically significant?", "true"),
        Column("follow_up_months", "number", str(EV.followUpMonths), False, "Follow-up in months.", "12"),
        _ref("reported_in", str(EV.reportedIn), False, "The report that gives it.",
             "family-mentoring-rct-main-paper", REPORT),
        SOURCE, SOURCE_TYPE), "Outcomes a study found."),
    Kind("appraisals", str(EV.Appraisal), "appraisal", (
        _slug("family-mentoring-rct-rob"), _label("The review's risk-of-bias judgement of the family mentoring RCT"),
        _ref("study", str(EV.appraises), True, "The study judged.", "family-mentoring-rct", STUDY),
        _scheme("risk_of_bias", str(EV.riskOfBias), True, "RiskOfBiasScheme", "The risk of bias judged.", "low"),
        _ref("review", str(EV.appraisedIn), True, "The evidence review the judgement was made in.",
             "kinship-care-cei-2024", REVIEW),
        _ref("appraised_by", str(PROV.wasAttributedTo), False,
             "Who made the judgement (an organisation or agent); the partner when empty.", "", AGENT, ORGANISATION),
        SOURCE, SOURCE_TYPE), "Risk-of-bias judgements a review made of a study."),
    Kind("ratings", str(EV.Rating), "rating", (
        _slug("family-mentoring-guidebook"), _label("Guidebook rating of family mentoring"),
        _ref("intervention", str(EV.rates), True, "The intervention rated.", "family-mentoring", INTERVENTION),
        _scheme("level", str(EV.evidenceLevel), True, "GuidebookEvidenceScheme", "The published evidence level.",
                "3"),
        Column("level_as_stated", "text", str(EV.levelAsStated), False, "The level in the source's own words.",
               "Level 3"),
        _scheme("basis", str(EV.ratingBasis), True, "RatingBasisScheme", "How the level was obtained.",
                "read-directly"),
        _ref("rated_by", str(PROV.wasAttributedTo), True, "The organisation that gave the rating.", "eif",
             ORGANISATION),
        SOURCE, SOURCE_TYPE), "Published evidence ratings of an intervention."),
    Kind("recommendations", str(EV.Recommendation), "recommendation", (
        _slug("kinship-family-mentoring"), _label("Kinship: offer family mentoring"),
        _ref("guidance", str(EV.inGuidance), False, "The guide that makes it (required for a new recommendation).",
             "kinship-care", GUIDANCE),
        _ref("about", str(EV.about), False, "The intervention it is about.", "family-mentoring", INTERVENTION),
        _scheme("strength", str(EV.publishedStrength), False, "PracticeGuideStrengthScheme",
                "The published evidence strength (required for a new recommendation).", "promising"),
        _ref("review", str(PROV.wasDerivedFrom), False, "The evidence review it is derived from.",
             "kinship-care-cei-2024", REVIEW),
        SOURCE, SOURCE_TYPE), "Recommendations of a practice guide, with their published strength."),
    Kind("evidence-links", None, None, (
        _ref("claim", None, True, "The recommendation or rating that rests on the study.",
             "kinship-family-mentoring", RECOMMENDATION, RATING),
        _ref("study", None, True, "The study it rests on.", "family-mentoring-rct", STUDY),
        _ref("stated_by", None, False, "Who stated the link (an organisation or agent, e.g. the guide's assessors);"
             " the link's graph is then attributed to it as well as to the partner.", "", AGENT, ORGANISATION),
        SOURCE, SOURCE_TYPE), "Confirmed evidence: this recommendation (ev:supportedBy) or rating (ev:basedOn) rests on this"
                 " study, as the partner states, citing the source."),
)

#: Where the scheme names of ``scheme`` columns live.
SCHEME_NAMESPACE = Namespace(str(EV))


def kind_named(name: str) -> Kind | None:
    """The template of that name (``studies``), or None."""
    return next((k for k in KINDS if k.name == name), None)


def example_rows(kind: Kind) -> str:
    """The template's header and its example row, as CSV text."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in kind.columns])
    writer.writerow([c.example for c in kind.columns])
    return buffer.getvalue()
