"""ydata-profiling report per source: sampled above the size, banner, no raw personal data."""

import pandas as pd

from rcu_kit.core.i18n import fmt_number
from rcu_kit.audit.profiling import profile_frame, profile_settings, profile_source
from rcu_kit.core.wording import word

EMAILS = [f"client{i:03d}@exemple.fr" for i in range(60)]
PHONES = [f"06 12 34 {i // 10}{i % 10} {i % 7}{i % 9}" for i in range(60)]


def frame():
    return pd.DataFrame({"email": EMAILS, "tel": PHONES,
                         "nom": ["DUPONT", "MARTINEAU", "BERNARDIN"] * 20,
                         "montant": [str(i) for i in range(60)]})


TYPES = {"email": "email", "tel": "phone", "nom": "last_name", "montant": "number"}


def test_sampled_masked_profile(tmp_path):
    path = tmp_path / "crm.html"
    info = profile_frame(frame(), TYPES, path, title="Profil crm", sample_size=25, seed=3,
                         mask=True, language="fr")
    assert (info.rows, info.rows_profiled, info.sampled, info.path) == (60, 25, True, path)
    html = path.read_text(encoding="utf-8")
    # the banner comes first in the body, with the sizes and the seed
    banner = html.index('id="rcu-kit-banner"')
    assert banner < html.index("Profil crm", banner)
    assert "échantillon aléatoire de 25 lignes sur 60 (graine 3)" in html
    assert "Données personnelles masquées" in html
    # no raw e-mail, phone or name anywhere in the HTML
    assert not [v for v in EMAILS + PHONES + ["DUPONT", "MARTINEAU", "BERNARDIN"] if v in html]
    assert "c***@e***.fr" in html

    # the same frame with raw values allowed, unsampled: raw values appear, no masking banner
    raw = profile_frame(frame(), TYPES, tmp_path / "raw.html", title="Profil crm", sample_size=0,
                        mask=False, language="en")
    text = raw.path.read_text(encoding="utf-8")
    assert raw.sampled is False and raw.rows_profiled == 60
    assert "Profile computed on all rows (60)." in text and "DUPONT" in text
    assert "Personal data masked" not in text


def test_empty_and_failing_sources(tmp_path):
    empty = profile_source(pd.DataFrame({"nom": pd.Series([], dtype=object)}), {}, tmp_path / "e.html",
                           source="vide", language="fr")
    assert empty.path is None and (empty.note_code, empty.note_params) == ("msg_empty_source", {})
    assert word(empty.note_code, empty.note_params, "fr") == \
        "La source ne contient aucune ligne : aucun indicateur ni profil."
    assert word(empty.note_code, empty.note_params, "en") == "The source has no rows: no KPIs and no profile."
    assert not (tmp_path / "e.html").exists()
    one = profile_source(pd.DataFrame({"nom": ["DUPONT"]}), {"nom": "last_name"}, tmp_path / "one.html",
                         source="un", language="fr")
    assert one.path is not None and one.rows_profiled == 1 and "DUPONT" not in one.path.read_text(encoding="utf-8")


def test_settings_and_counts():
    settings = profile_settings("T")
    assert not (settings.vars.text.words or settings.vars.text.characters or settings.vars.text.length)
    assert settings.duplicates.head == 0 and not settings.correlations["auto"].calculate
    assert settings.html.inline is True and settings.html.use_local_assets is True
    # the banner's counts come from the one number formatter
    assert fmt_number(1000000, "fr") == "1\u202f000\u202f000" and fmt_number(1000000, "en") == "1,000,000"
