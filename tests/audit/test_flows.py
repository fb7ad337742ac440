"""Flows between systems: the table with its open questions, the bridges counted."""

from __future__ import annotations

from rcu_kit.audit.flows import bridge_summary, flow_table
from rcu_kit.core.config import Engagement, Flow

FLOWS = [
    # real time both ways, everything stated, a peak 20 times the usual volume
    Flow(name="web", from_system="Site web", to_system="CRM", two_way=True, mode="sync",
         protocol="api", process="inscription", volume_per_period=100, peak=2000, owner="DSI",
         supervision="alertes"),
    # a nightly file with no owner, no supervision, no volume and no process
    Flow(name="erp", from_system="CRM", to_system="ERP"),
    # a message flow sized, owned, watched
    Flow(name="caisse", from_system="Caisses", to_system="CRM", protocol="message",
         process="fidélité", volume_per_period=500, peak=1500, owner="Magasins",
         supervision="tableau de bord"),
]


def test_flow_table_gives_peak_ratios_and_open_questions():
    table = flow_table(Engagement(client="x", flows=FLOWS))
    assert table["name"].tolist() == ["web", "erp", "caisse"]
    assert table["peak_ratio"].tolist()[0] == 20.0 and table["peak_ratio"].tolist()[2] == 3.0
    assert table["peak_ratio"].isna().tolist() == [False, True, False]
    assert table["questions"].tolist() == [
        "sync_peak",                                           # sync, 20x >= 10x
        "no_owner,no_supervision,no_volume,no_process",
        "",                                                    # async: the 3x peak is no question
    ]


def test_bridges_are_counted_by_kind():
    summary = bridge_summary(Engagement(client="x", flows=FLOWS))
    assert summary == {"flows": 3, "systems": 4, "hub": "CRM", "two_way": 1, "sync": 1,
                       "real_time_two_way": 1, "by_protocol": {"api": 1, "file": 1, "message": 1},
                       "open_questions": 2}
    assert bridge_summary(Engagement(client="x"))["hub"] is None


def test_client_table_words_every_flow():
    from rcu_kit.audit.flows import flows_client_table

    flows = [*FLOWS, Flow(name="x", from_system="A", to_system="B", volume_per_period=5,
                          period="quinzaine")]
    table = flows_client_table(Engagement(client="x", flows=flows), "fr")
    assert table.columns.tolist() == ["Flux", "Systèmes", "Mode", "Protocole", "Processus métier",
                                      "Volume habituel", "Pic", "Responsable",
                                      "Questions ouvertes"]
    web, erp, caisse, other = (table.iloc[i] for i in range(4))
    assert web["Systèmes"] == "Site web ↔ CRM" and erp["Systèmes"] == "CRM → ERP"
    assert web["Mode"] == "synchrone (temps réel)" and caisse["Protocole"] == "message"
    # French numbers: a narrow no-break space between thousands
    assert web["Volume habituel"] == "100 / jour" and web["Pic"] == "2\u202f000"
    assert erp["Volume habituel"] == "–" and erp["Pic"] == "–" and erp["Responsable"] == "–"
    assert erp["Questions ouvertes"].split("; ")[0] == "aucun responsable nommé"
    assert len(erp["Questions ouvertes"].split("; ")) == 4 and caisse["Questions ouvertes"] == "–"
    assert other["Volume habituel"] == "5 / quinzaine"  # a period the wording lacks, as given
