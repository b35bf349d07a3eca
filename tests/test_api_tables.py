"""piconumpy.bench.explain.api: names read from C sources, README's tables.

The extraction is checked on small snippets; the README check runs on the
real README (next to tests/) against the installed sources.
"""

import collections
import os

import pytest

from piconumpy.bench.explain import api

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")

SNIPPET = r'''
/* PyList_New in a comment is not a use; neither is PyPy. */
#define MY_CHECK(o) PyFloat_Check(o)
#define PyCompat_Thing 1
static PyObject *
f(PyObject *self, PyObject *arg)    // Py_RETURN_NONE here is a comment
{
    const char *s = "PyErr_Format in a string";
    char c = 'P';
    if (!MY_CHECK(arg) || PyCompat_Thing)
        return PyErr_Format(PyExc_TypeError, "no %s", s), NULL;
    return _PyObject_Private(arg);
}
'''

HPY_SNIPPET = r'''
#define PNP_ARGS HPy *
HPyDef_METH(f, "f", HPyFunc_O)
static HPy f_impl(HPyContext *ctx, HPy self, HPy arg)
{
    /* HPy_Dup in a comment */
    if (!HPy_TypeCheck(ctx, arg, ctx->h_FloatType))
        return HPyErr_SetString(ctx, ctx->h_TypeError, "HPy_Close"), HPy_NULL;
    return HPy_Dup(ctx, arg);
}
'''


def test_capi_names_skip_comments_literals_and_own_macros():
    found = api.capi_names(SNIPPET)
    assert found == {"PyObject": 3, "PyFloat_Check": 1, "PyErr_Format": 1,
                     "PyExc_TypeError": 1, "_PyObject_Private": 1}


def test_hpy_names_include_context_handles():
    found = api.hpy_names(HPY_SNIPPET)
    assert found == {
        "HPy": 4, "HPyDef_METH": 1, "HPyFunc_O": 1, "HPyContext": 1,
        "HPy_TypeCheck": 1, "ctx->h_FloatType": 1, "HPyErr_SetString": 1,
        "ctx->h_TypeError": 1, "HPy_NULL": 1, "HPy_Dup": 1,
    }


def test_code_only_keeps_line_numbers():
    text = "a /* x\ny */ b\n\"s\\\"t\" // c\nd"
    blanked = api.code_only(text)
    assert blanked.count("\n") == text.count("\n")
    assert blanked.split() == ["a", "b", "d"]


def _usage(capi, hpy, hpy_capi=None):
    return {"capi": collections.Counter(capi),
            "hpy": collections.Counter(hpy),
            "hpy_capi": collections.Counter(hpy_capi or {})}


def test_tables_side_by_side_ranked():
    usage = _usage({"Py_DECREF": 1, "PyObject": 3, "PyList_New": 1},
                   {"HPy": 5})
    rows = [line for line in api.render_tables(usage).splitlines()
            if line.startswith("| `") or line.startswith("|  |")]
    assert rows == ["| `PyObject` | 3 | `HPy` | 5 |",
                    "| `PyList_New` | 1 |  |  |",
                    "| `Py_DECREF` | 1 |  |  |"]


def test_check_detects_stale_and_missing_tables():
    usage = _usage({"PyObject": 2}, {"HPy": 1})
    current = "intro\n" + api.section(usage) + "\nrest\n"
    assert api.check(current, usage) is None
    changed = _usage({"PyObject": 3}, {"HPy": 1})
    assert "stale" in api.check(current, changed)
    assert "no <!-- api-tables:start" in api.check("no markers", usage)
    renewed = api.replace_section(current, changed)
    assert api.check(renewed, changed) is None
    assert renewed.startswith("intro\n") and renewed.endswith("\nrest\n")


def test_readme_tables_are_current():
    if not os.path.exists(README):
        pytest.skip("no README.md beside tests/ (not a source tree)")
    with open(README, encoding="utf-8") as file:
        text = file.read()
    problem = api.check(text, api.api_usage(with_cython=False))
    assert problem is None, problem


def test_sources_use_the_expected_core_names():
    usage = api.api_usage(with_cython=False)
    assert usage["capi"]["PyFloat_FromDouble"] > 0
    assert usage["hpy"]["HPy_Close"] > 0
    assert not any(name.startswith("HPy") for name in usage["capi"])
