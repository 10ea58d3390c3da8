"""The kennisbank pages' texts: English is a full translation (every key in both catalogues), every key the
pages use exists, and the vocabulary the API can return (domains of the effectordening, evidence levels,
scales, themes, kinds of toolkit item) has a label in both languages. No browser needed."""
import json
import re

from kbkit import REPO

WEB = REPO / "web" / "kennisbank"
SOURCE = (WEB / "messages.js").read_text()


def catalogue(lang):
    start = SOURCE.index(f"\n  {lang}: {{")
    end = SOURCE.index("\n  },", start)
    return set(re.findall(r"^\s+'([a-zA-Z0-9_.-]+)':", SOURCE[start:end], re.M))


NL = catalogue("nl")
EN = catalogue("en")


def test_both_catalogues_have_the_same_keys():
    assert NL - EN == set(), "missing in en"
    assert EN - NL == set(), "missing in nl"
    assert len(NL) > 300


def test_every_key_the_pages_use_exists():
    used = set()
    for f in list(WEB.glob("*.js")) + list(WEB.glob("*.html")):
        if f.name == "messages.js":
            continue
        text = f.read_text()
        used |= set(re.findall(r"""['"`]((?:kb|common)\.[A-Za-z0-9_.-]+)['"`]""", text))
        used |= set(re.findall(r"data-i18n-attr=\"[a-z-]+:((?:kb|common)\.[A-Za-z0-9_.-]+)\"", text))
    # Prefixes completed at run time (kb.domain.<id>, kb.step.<n>, …) are checked below, by value.
    prefixes = {k for k in used if any(o.startswith(k + ".") for o in NL) and k not in NL}
    shell = set(re.findall(r"'((?:common)\.[a-zA-Z]+)'", (REPO / "web" / "i18n.js").read_text()))
    missing = {k for k in used - prefixes if k not in NL and k not in shell}
    assert not missing, missing


def test_vocabulary_has_labels():
    effects = json.loads((REPO / "Sources" / "Toolbox" / "Resources" / "effectordening.json").read_text())
    need = {f"kb.domain.{e['domain']}" for e in effects}
    need |= {f"kb.evidence.{v}" for v in ("bewezen", "aannemelijk", "onbekend", "tegengesproken")}
    need |= {f"kb.scale.{v}" for v in ("complex", "buurt", "wijk")}
    need |= {f"kb.theme.{v}" for v in ("schoon", "heel", "veilig", "wonen", "werken", "leven")}
    need |= {f"kb.toolkitKind.{v}" for v in ("werkvorm", "instrument", "checklist", "agenda", "template", "les", "tip")}
    need |= {f"kb.type.{v}" for v in ("praktijk", "archetype")} | {f"kb.state.{v}" for v in ("draft", "published")}
    need |= {f"kb.step.{n}" for n in range(1, 8)} | {f"kb.wiz.intro.{n}" for n in range(1, 8)}
    for kind in ("kosten", "resultaat", "rendement"):
        need |= {f"kb.mon.title.{kind}", f"kb.mon.add.{kind}", f"kb.help.mon.{kind}"}
    for f in ("date", "label", "category", "euros", "hours", "value", "unit", "target", "baseline", "measured", "attribution",
              "deadWeight", "valuePerUnit", "note"):
        need |= {f"kb.mon.{f}", f"kb.help.mon.{f}"}
    for facet in ("kind", "type", "effect", "theme", "scale", "evidence", "targetGroup", "partner"):
        need.add(f"kb.facet.{facet}")
    for facet in ("kind", "barrier", "theme", "audience", "series"):
        need.add(f"kb.facet.tk.{facet}")
    assert need - NL == set()
    assert need - EN == set()


def test_no_inline_script_or_style():
    """CSP default-src 'self': the pages load modules and stylesheets from files only."""
    for f in WEB.glob("*.html"):
        html = f.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f.name
        assert "<style" not in html and " style=" not in html and "onclick=" not in html.lower(), f.name
    for f in WEB.glob("*.js"):
        js = f.read_text()
        assert ".innerHTML" not in js and "setAttribute('style'" not in js and "eval(" not in js, f.name
