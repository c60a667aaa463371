import pytest

JS = """(sel) => { const out=[]; for (const el of document.querySelectorAll(sel)) { el.scrollIntoView({block:'center'}); const r = el.getBoundingClientRect();
  for (const [x,y] of [[r.left+2,r.top+2],[r.right-2,r.bottom-2],[r.left+r.width/2, r.top+r.height/2]]) {
    const stack = document.elementsFromPoint(x,y).slice(0,3).map(e => e.tagName + '.' + e.className.toString().slice(0,60));
    out.push([sel, Math.round(x), Math.round(y), stack.join(' > ')]); } } return out; }"""

@pytest.mark.parametrize("case", [("/me/settings", 390, "h1"), ("/", 1280, ".d-lg-block .ponte-badge-coming"), ("/territories/16", 390, ".ponte-meta .badge")])
def test_overlap(new_context, admin_state, case):
    path, width, sel = case
    page = new_context(width, storage_state=admin_state).new_page()
    page.goto("/lang/it?next=" + path)
    for row in page.evaluate(JS, sel):
        print(row)
    print(page.evaluate("(s) => { const e=document.querySelector(s); const cs=getComputedStyle(e); return [cs.color, cs.backgroundColor, cs.position, e.getBoundingClientRect().toJSON()] }", sel))
