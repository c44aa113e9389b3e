"""The shape of a synthetic graph: how many of each thing, and how often each fact is recorded.

The rates were measured with SPARQL on the bundled data (data/: 131 interventions, 128 studies, 113
reports, 95 findings, 59 ratings, 13 recommendations, 28 evidence reviews, 48 organisations, 855 named
graphs, 18.7k triples). A ``{value: weight}`` distribution gives the measured counts as weights; a
share (0 to 1) is the measured share of nodes with that fact, named beside it. Values marked CHOSEN
have nothing in data/ to measure: it records no reviews' included-study lists, no risk-of-bias
appraisals and almost no confirmed evidence links (the gaps data/README.md lists), so a graph with the
measured rates would give the rules nothing to check. They are set so that every criterion is met,
not met and unknown somewhere.
"""

from __future__ import annotations

#: Studies that evaluate an intervention: interventions with 0, 1, 2 … studies.
STUDIES_PER_INTERVENTION = {0: 46, 1: 59, 2: 18, 3: 2, 4: 3, 5: 2, 6: 1}
#: Reports that describe a study (several papers on one trial are one study).
REPORTS_PER_STUDY = {0: 23, 1: 95, 2: 8, 3: 2}
#: Ratings of an intervention.
RATINGS_PER_INTERVENTION = {0: 82, 1: 43, 2: 4, 3: 1, 5: 1}
#: Coded designs of a study that has one (an RCT with its process and cost evaluations has three).
DESIGNS_PER_STUDY = {1: 77, 2: 32, 3: 12}
#: Findings of a study that has any (95 findings of 37 studies).
FINDINGS_PER_STUDY = {1: 9, 2: 11, 3: 11, 4: 5, 11: 1}

INTERVENTION_KINDS = {"kind:programme": 90, "kind:intervention-type": 28, "kind:practice-model": 13}
DESIGNS = {"design:rct": 48, "design:implementation-process": 24, "design:pilot-feasibility": 22,
           "design:mixed-methods": 18, "design:qualitative": 12, "design:cost-analysis": 11,
           "design:cluster-rct": 11, "design:qed": 11, "design:secondary-analysis": 7, "design:descriptive": 4,
           "design:pre-post": 3, "design:stepped-wedge-rct": 3, "design:survey": 2, "design:predictive-modelling": 1}
COUNTRIES = {"country:GB-ENG": 43, "country:US": 30, "country:GB": 5, "country:GB-WLS": 4, "country:AU": 2,
             "country:SE": 1, "country:CA": 1, "country:IE": 1, "country:BM": 1}
DIRECTIONS = {"direction:favourable": 62, "direction:no-effect": 25}
REVIEW_TYPES = {"reviewtype:systematic": 11, "reviewtype:rapid": 10, "reviewtype:evidence-summary": 5,
                "reviewtype:realist": 2, "reviewtype:meta-analysis": 2, "reviewtype:scoping": 2}
STRENGTHS = {"strength:strong": 3, "strength:good": 2, "strength:promising": 7}
COSTS = {"cost:1": 18, "cost:2": 6, "cost:3": 3, "cost:4": 2, "cost:5": 3}
NEEDS = {"need:universal": 19, "need:targeted-indicated": 17, "need:targeted-selected": 13, "need:targeted": 7}
OUTCOMES = ("outcome:mental-health", "outcome:maltreatment", "outcome:crime-violence", "outcome:school-achievement",
            "outcome:substance-abuse", "outcome:obesity-physical-health", "outcome:risky-sexual-behaviour")
#: CHOSEN: data/ records no appraisal.
RISKS_OF_BIAS = {"rob:low": 30, "rob:moderate": 40, "rob:high": 30}

#: Rating schemes: ratings per scheme, the levels given and how the value was read. The legacy (pre-2017)
#: Guidebook scale has no rating in data/; it is CHOSEN at the weight of the rarest scheme, with levels
#: spread evenly, so every scheme the ontology defines is used.
SCHEMES = {
    "ev:GuidebookEvidenceScheme": (42, {"level:2": 7, "level:2plus": 5, "level:3": 13, "level:3plus": 12, "level:4": 1,
                                        "level:4plus": 4},
                                   {"basis:inferred-from-level-text": 12, "basis:digit-read-plus-inferred": 10,
                                    "basis:read-directly": 9, "basis:third-party-mirror": 4, "basis:provider-claim": 3,
                                    "basis:third-party-report": 2, "basis:pdf-export": 2}),
    "ev:TitleIVEScheme": (9, {"ive:does-not-meet-criteria": 2, "ive:promising": 3,
                              "ive:supported": 4}, {"basis:published-page": 1}),
    "ev:CEBCScheme": (4, {"cebc:1": 1, "cebc:2": 2, "cebc:3": 1}, {"basis:published-page": 1}),
    "ev:CrimeSolutionsScheme": (3, {"crimesolutions:effective": 2, "crimesolutions:promising": 1},
                                {"basis:published-page": 1}),
    "ev:BlueprintsScheme": (1, {"blueprints:promising": 1}, {"basis:published-page": 1}),
    "ev:GuidebookLegacyEvidenceScheme": (1, {"legacy:2": 1, "legacy:3": 1, "legacy:4": 1, "legacy:5": 1},
                                         {"basis:read-directly": 1, "basis:pdf-export": 1}),
}
#: Rating bases whose value was inferred from page structure (ev:inferred true in the scheme).
INFERRED_BASES = ("basis:inferred-from-level-text", "basis:digit-read-plus-inferred")

#: Per intervention (131): organisations 48, evidence reviews 28, other publications 29, practice guides 4,
#: statements about an intervention or study 64, discrepancies 32, concerns 7 (placed with the guides).
PER_INTERVENTION = {"organisation": 48 / 131, "review": 28 / 131, "publication": 29 / 131, "guide": 4 / 131,
                    "statement": 64 / 131, "discrepancy": 32 / 131}
#: Mergers per organisation (1 of 48); statements per organisation (140), per review (26), per guide (21).
MERGER_PER_ORGANISATION = 1 / 48
STATEMENTS_PER = {"organisation": 140 / 48, "review": 26 / 28, "guide": 21 / 4}
#: Recommendations per practice guide (13 of the 3 guides whose recommendations were read).
RECOMMENDATIONS_PER_GUIDE = {2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
#: Share of the unconfirmed studies of a claim's interventions that curation proposes as candidates: set so
#: that candidates per claim come near the measured 25 per 59 ratings and 19 per 13 recommendations.
CANDIDATE_SHARE = {"rating": 0.6, "recommendation": 0.7}
#: Concerns per practice guide (7 for 4 guides).
CONCERNS_PER_GUIDE = {1: 1, 2: 2}

#: Share of studies with each fact (of 128). A study is read from several documents (a joint graph) in 68 of
#: 128: those with several reports (10), and 58 of the 118 others, from a second document.
STUDY = {"design": 121 / 128, "note": 110 / 128, "country": 87 / 128, "two countries": 4 / 87,
         "sampleDescription": 71 / 128, "evaluatedBy": 60 / 128, "sampleSize": 37 / 128, "commissionedBy": 35 / 128,
         "localAuthority": 29 / 128, "status": 27 / 128, "population": 27 / 128, "followUpDescription": 26 / 128,
         "arms": 14 / 128, "followUpMonths": 13 / 128, "trialRegistration": 9 / 128, "findings": 37 / 128,
         "more documents": 58 / 118}
#: Share of reports with each fact (of 113): 59 give a year, 29 a date, 25 neither; 55 are read from several
#: documents (the report and a record or copy of it).
REPORT = {"authorNames": 79 / 113, "publicationType": 68 / 113, "year": 59 / 113, "issued": 29 / 113,
          "creator": 52 / 113, "note": 49 / 113, "publisher": 44 / 113, "citation": 43 / 113,
          "description": 26 / 113, "doi": 25 / 113, "status": 16 / 113, "second study": 4 / 113,
          "more documents": 55 / 113}
#: Share of findings with each fact (of 95).
FINDING = {"reportedIn": 88 / 95, "direction": 87 / 95, "note": 61 / 95, "followUpDescription": 33 / 95,
           "significant": 25 / 95, "significant true": 10 / 25, "followUpMonths": 16 / 95, "outcomeDomain": 8 / 95,
           "effectSize": 2 / 95}
#: Share of interventions with each fact (of 131); 89 are read from several documents.
INTERVENTION = {"altLabel": 79 / 131, "note": 71 / 131, "deliveryModel": 56 / 131, "ageRange": 54 / 131,
                "seeAlso": 52 / 131, "levelOfNeed": 51 / 131, "workforce": 52 / 131, "setting": 45 / 131,
                "description": 45 / 131, "improvesOutcome": 41 / 131, "childOutcome": 38 / 131, "issued": 37 / 131,
                "lastReviewed": 37 / 131, "ages": 31 / 131, "developedBy": 3 / 131, "ukAvailable": 1 / 131,
                "more documents": 89 / 131}
#: Share of ratings with each fact (of 59); the Guidebook's own facts (a cost, the mixed-findings flag, the
#: review a rating came from) of its 42 ratings.
RATING = {"note": 56 / 59, "reviewVersion": 32 / 59, "lastReviewed": 4 / 59, "cost": 32 / 42, "wasDerivedFrom": 10 / 42,
          "mixedFindings": 2 / 42}
#: CHOSEN: share of ratings (of interventions with studies) and recommendations resting on confirmed studies
#: (ev:basedOn, ev:supportedBy); data/ has 1 of 59 and 0 of 13.
CONFIRMED = {"rating": 0.5, "recommendation": 0.6}
#: CHOSEN: studies each review includes (data/ records no list), and the share of them it appraises.
INCLUDED_PER_REVIEW = (3, 10)
APPRAISED = 0.8
#: Share of evidence reviews with each fact (of 28); 16 are read from several documents.
REVIEW = {"publisher": 22 / 28, "creator": 18 / 28, "publicationType": 16 / 28, "description": 16 / 28,
          "issued": 9 / 28, "authorNames": 9 / 28, "sampleDescription": 8 / 28, "year": 6 / 28, "population": 5 / 28,
          "paperCount": 4 / 28, "listAvailable": 4 / 28, "impactStudyCount": 3 / 28, "altLabel": 3 / 28,
          "about": 3 / 28, "two types": 4 / 28, "qualitativeStudyCount": 2 / 28, "commissionedBy": 2 / 28,
          "riskOfBiasTool": 1 / 28, "more documents": 16 / 28}
#: Share of recommendations with each fact (of 13); second-hand strengths: 2 of 13 guides' pages were
#: read only through the press; of the other 11, 8 are read from several documents.
RECOMMENDATION = {"strength": 12 / 13, "note": 12 / 13, "population": 11 / 13, "outcomeDomain": 3 / 13,
                  "second-hand": 2 / 13, "joint": 8 / 11, "two interventions": 5 / 13}
#: Share of practice guides with each fact (of 4); of concerns (of 7); of other publications (of 29).
GUIDE = {"issued": 3 / 4, "population": 3 / 4}
CONCERN = {"date": 2 / 7}
PUBLICATION = {"publisher": 27 / 29, "description": 22 / 29, "creator": 7 / 29, "about": 6 / 29, "issued": 4 / 29}
#: Share of organisations with each fact (of 48); of statements (of 241).
ORGANISATION = {"organisationType": 47 / 48, "altLabel": 25 / 48, "note": 12 / 48, "comment": 8 / 48,
                "joint": 26 / 48}
STATEMENT = {"statedBy": 104 / 241, "date": 80 / 241}
#: Share of source documents with a publisher in the graph (of 536), and with a title.
SOURCE = {"publisher": 284 / 536, "title": 129 / 536}
