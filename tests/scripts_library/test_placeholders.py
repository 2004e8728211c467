"""The script notation: parsing, problems, and rendering, for every placeholder."""

import pytest

from scripts_library import placeholders as ph
from scripts_library.placeholders import Piece, Placeholder, PlaceholderError, Text

ALL_NAMES = [
    "Customer Name",
    "Agent Name",
    "Brand",
    "Call Reason",
    "Item",
    "Inbound Number",
    "Cause",
    "ETR",
    "Area",
    "Outage",
    "Callback Deadline",
    "Promised ETR",
]
KNOWN_LINE = "Known placeholders: " + ", ".join(f"<{name}>" for name in ALL_NAMES) + "."

# --- the list -------------------------------------------------------------------------------


def test_placeholders_in_order():
    assert list(ph.PLACEHOLDERS) == ALL_NAMES


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Customer Name", "customer_name"),
        ("Agent Name", "agent_name"),
        ("Brand", "brand"),
        ("Call Reason", "call_reason"),
        ("Item", "item"),
        ("Inbound Number", "inbound_number"),
        ("Cause", "cause"),
        ("ETR", "etr"),
        ("Area", "area"),
        ("Outage", "outage"),
        ("Callback Deadline", "callback_deadline"),
    ],
)
def test_keys(name, key):
    assert ph.KEYS[name] == key
    assert Placeholder(name).key == key


def test_keys_and_gaps_cover_exactly_the_placeholders():
    assert list(ph.KEYS) == ALL_NAMES
    assert set(ph.GAPS) == set(ALL_NAMES)
    assert len(set(ph.KEYS.values())) == len(ALL_NAMES)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_gap_text_is_words_for_the_agent(name):
    gap = ph.GAPS[name]
    assert gap.strip() == gap
    assert len(gap) > 3
    assert gap not in {"-", "—", "–", "n/a", "N/A"}
    assert "<" not in gap and ">" not in gap


@pytest.mark.parametrize(
    ("name", "gap"),
    [
        ("ETR", "ETR not yet known — say we will update them"),
        ("Customer Name", "customer's name"),
        ("Cause", "cause not yet confirmed"),
        ("Item", "item not recorded"),
    ],
)
def test_gap_wording(name, gap):
    assert ph.GAPS[name] == gap


# --- parsing valid text ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_placeholder_parses(name):
    text = f"Hello <{name}>, goodbye."
    assert ph.parse(text) == [Text("Hello "), Placeholder(name), Text(", goodbye.")]
    assert ph.problems(text) == []
    assert ph.used(text) == [name]


def test_every_placeholder_in_one_text():
    text = " ".join(f"<{name}>" for name in ALL_NAMES)
    segments = ph.parse(text)
    assert [s.name for s in segments if isinstance(s, Placeholder)] == ALL_NAMES
    assert ph.used(text) == ALL_NAMES


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", []),
        ("Nothing to fill here.", [Text("Nothing to fill here.")]),
        ("Line one\nline two", [Text("Line one\nline two")]),
        ("<ETR>", [Placeholder("ETR")]),
        ("<Customer Name><Agent Name>", [Placeholder("Customer Name"), Placeholder("Agent Name")]),
        (
            "<Customer Name>,\nthis is <Agent Name>.",
            [
                Placeholder("Customer Name"),
                Text(",\nthis is "),
                Placeholder("Agent Name"),
                Text("."),
            ],
        ),
        ("<Area>\r\n<Area>", [Placeholder("Area"), Text("\r\n"), Placeholder("Area")]),
    ],
    ids=["empty", "plain", "newline", "alone", "adjacent", "multiline", "crlf"],
)
def test_parse(text, segments):
    assert ph.parse(text) == segments
    assert ph.problems(text) == []


def test_segments_are_frozen():
    with pytest.raises(AttributeError):
        Text("a").text = "b"
    with pytest.raises(AttributeError):
        Placeholder("ETR").name = "Cause"
    with pytest.raises(AttributeError):
        Piece("text", "a").kind = "gap"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", []),
        ("No placeholders.", []),
        ("<ETR> then <Cause> then <ETR> again", ["ETR", "Cause"]),
        ("<Item><Customer Name><Item><Brand>", ["Item", "Customer Name", "Brand"]),
        # Never raises: well-formed known names are reported even in broken text.
        ("<Custmer Name> and <ETR> and <Area", ["ETR"]),
    ],
)
def test_used(text, names):
    assert ph.used(text) == names


# --- unknown placeholders -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first_problem"),
    [
        ("<Custmer Name>", "Unknown placeholder <Custmer Name>: did you mean <Customer Name>?"),
        ("<customer name>", "Unknown placeholder <customer name>: did you mean <Customer Name>?"),
        ("<CUSTOMER NAME>", "Unknown placeholder <CUSTOMER NAME>: did you mean <Customer Name>?"),
        ("<CustomerName>", "Unknown placeholder <CustomerName>: did you mean <Customer Name>?"),
        ("<Customer  Name>", "Unknown placeholder <Customer  Name>: did you mean <Customer Name>?"),
        (
            "< Customer Name >",
            "Unknown placeholder < Customer Name >: did you mean <Customer Name>?",
        ),
        ("<customer_name>", "Unknown placeholder <customer_name>: did you mean <Customer Name>?"),
        ("<etr>", "Unknown placeholder <etr>: did you mean <ETR>?"),
        ("<Etr>", "Unknown placeholder <Etr>: did you mean <ETR>?"),
        ("<Agnet Name>", "Unknown placeholder <Agnet Name>: did you mean <Agent Name>?"),
        (
            "<Callback deadline>",
            "Unknown placeholder <Callback deadline>: did you mean <Callback Deadline>?",
        ),
        (
            "<Inbound number>",
            "Unknown placeholder <Inbound number>: did you mean <Inbound Number>?",
        ),
        ("<Cuase>", "Unknown placeholder <Cuase>: did you mean <Cause>?"),
        ("<Items>", "Unknown placeholder <Items>: did you mean <Item>?"),
        # The business's own documents say <Warranty Brand>.
        ("<Warranty Brand>", "Unknown placeholder <Warranty Brand>: did you mean <Brand>?"),
        ("<Postcode>", "Unknown placeholder <Postcode>."),
        ("<Refund Amount>", "Unknown placeholder <Refund Amount>."),
        ("<script>", "Unknown placeholder <script>."),
    ],
)
def test_unknown_placeholder_with_suggestion(text, first_problem):
    assert ph.problems(text) == [first_problem, KNOWN_LINE]
    with pytest.raises(PlaceholderError) as error:
        ph.parse(text)
    assert error.value.problems == [first_problem, KNOWN_LINE]


def test_each_unknown_name_reported_once_in_order():
    text = "<Foo> <Custmer Name> <Foo> <ETR>"
    assert ph.problems(text) == [
        "Unknown placeholder <Foo>.",
        "Unknown placeholder <Custmer Name>: did you mean <Customer Name>?",
        KNOWN_LINE,
    ]


def test_placeholder_error_is_a_value_error():
    with pytest.raises(ValueError):
        ph.parse("<Nope>")
    assert issubclass(PlaceholderError, ValueError)


# --- malformed brackets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hello <Customer Name",
            ["A '<' at line 1, column 7 is never closed with '>'."],
        ),
        (
            "<",
            ["A '<' at line 1, column 1 is never closed with '>'."],
        ),
        (
            "Hello Customer Name>",
            ["A '>' at line 1, column 20 has no '<' before it."],
        ),
        (
            "<Customer Name>>",
            ["A '>' at line 1, column 16 has no '<' before it."],
        ),
        (
            "<<Customer Name>",
            [
                "A '<' at line 1, column 1 is not closed with '>' "
                "before the next '<' at line 1, column 2."
            ],
        ),
        (
            "<Customer <Agent Name>",
            [
                "A '<' at line 1, column 1 is not closed with '>' "
                "before the next '<' at line 1, column 11."
            ],
        ),
        (
            "Hi <>, thanks",
            ["An empty '<>' at line 1, column 4 names no placeholder."],
        ),
        (
            "Dear <Customer\nName>",
            [
                "A '<' at line 1, column 6 is not closed with '>' before the end of the line.",
                "A '>' at line 2, column 5 has no '<' before it.",
            ],
        ),
        (
            "First line\nsecond <Customer\r\nName>",
            [
                "A '<' at line 2, column 8 is not closed with '>' before the end of the line.",
                "A '>' at line 3, column 5 has no '<' before it.",
            ],
        ),
        (
            "a > b\nc < d\n<ETR>",
            [
                "A '>' at line 1, column 3 has no '<' before it.",
                "A '<' at line 2, column 3 is not closed with '>' before the end of the line.",
            ],
        ),
    ],
    ids=[
        "unclosed",
        "lone-open",
        "stray-close",
        "double-close",
        "nested-open",
        "open-before-next-placeholder",
        "empty",
        "across-newline",
        "across-crlf",
        "several-lines",
    ],
)
def test_malformed_brackets(text, expected):
    assert ph.problems(text) == expected
    with pytest.raises(PlaceholderError) as error:
        ph.parse(text)
    assert error.value.problems == expected


def test_unknown_names_come_first_then_brackets_then_the_known_list():
    text = "<Custmer Name> <> <ETR"
    assert ph.problems(text) == [
        "Unknown placeholder <Custmer Name>: did you mean <Customer Name>?",
        "An empty '<>' at line 1, column 16 names no placeholder.",
        "A '<' at line 1, column 19 is never closed with '>'.",
        KNOWN_LINE,
    ]


def test_no_known_list_without_unknown_names():
    assert KNOWN_LINE not in ph.problems("<ETR")


# --- rendering ------------------------------------------------------------------------------

FULL_VALUES = {
    "customer_name": "Ana Silva",
    "agent_name": "Ben",
    "brand": "HomeShield",
    "call_reason": "a boiler repair",
    "item": "boiler",
    "inbound_number": "+44 20 7946 0000",
    "cause": "a fibre cut",
    "etr": "17:30",
    "area": "North Leeds",
    "outage": "Fibre cut, Leeds",
    "callback_deadline": "today by 21:00",
    "promised_etr": "15:00",
}


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_placeholder_renders_its_value(name):
    value = FULL_VALUES[ph.KEYS[name]]
    assert ph.render(f"Re: <{name}>.", FULL_VALUES) == [
        Piece("text", "Re: "),
        Piece("value", value),
        Piece("text", "."),
    ]
    assert ph.render_plain(f"Re: <{name}>.", FULL_VALUES) == f"Re: {value}."


@pytest.mark.parametrize("missing", [None, "", "   ", "\n", "absent"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_missing_value_is_a_gap(name, missing):
    values = {} if missing == "absent" else {ph.KEYS[name]: missing}
    gap = ph.GAPS[name]
    assert ph.render(f"<{name}>", values) == [Piece("gap", gap)]
    assert ph.render_plain(f"<{name}>", values) == f"[{gap}]"
    assert ph.render_html(f"<{name}>", values) == (
        f'<mark class="ph-gap" title="Fill this in">{gap.replace(chr(39), "&#x27;")}</mark>'
    )


def test_values_are_stripped_and_other_keys_ignored():
    values = {"customer_name": "  Ana  ", "unrelated": "x", "Customer Name": "wrong key"}
    assert ph.render("<Customer Name>", values) == [Piece("value", "Ana")]


def test_values_are_keyed_by_python_key_not_by_name():
    assert ph.render("<ETR>", {"ETR": "17:30"}) == [Piece("gap", ph.GAPS["ETR"])]


def test_render_a_full_script():
    text = (
        "<Customer Name>, this is <Agent Name> calling from <Brand>.\n"
        "We expect service back by <ETR>."
    )
    values = {"customer_name": "Ana", "agent_name": "Ben", "brand": None, "etr": ""}
    assert ph.render(text, values) == [
        Piece("value", "Ana"),
        Piece("text", ", this is "),
        Piece("value", "Ben"),
        Piece("text", " calling from "),
        Piece("gap", ph.GAPS["Brand"]),
        Piece("text", ".\nWe expect service back by "),
        Piece("gap", ph.GAPS["ETR"]),
        Piece("text", "."),
    ]
    assert ph.render_plain(text, values) == (
        f"Ana, this is Ben calling from [{ph.GAPS['Brand']}].\n"
        f"We expect service back by [{ph.GAPS['ETR']}]."
    )


@pytest.mark.parametrize(
    "text",
    ["", "Nothing to fill.", "Two\nlines, no placeholders."],
)
def test_text_with_nothing_to_fill_renders_as_is(text):
    pieces = ph.render(text, FULL_VALUES)
    assert pieces == ([Piece("text", text)] if text else [])
    assert ph.render_plain(text, {}) == text


@pytest.mark.parametrize(
    "text",
    [
        "<Custmer Name>, hello",
        "Hello <Customer Name",
        "stray > here <ETR>",
        "<<ETR>",
        "<>",
        "<Customer\nName>",
        "<script>alert(1)</script>",
    ],
)
def test_render_of_invalid_text_shows_the_raw_text(text):
    assert ph.render(text, FULL_VALUES) == [Piece("text", text)]
    assert ph.render_plain(text, FULL_VALUES) == text
    assert ph.render_html(text, FULL_VALUES)  # does not raise, shows something


# --- HTML -----------------------------------------------------------------------------------


def test_render_html_pieces():
    text = "Hi <Customer Name>,\nyour ETR is <ETR>."
    assert ph.render_html(text, {"customer_name": "Ana"}) == (
        'Hi <strong class="ph-value">Ana</strong>,<br>your ETR is '
        '<mark class="ph-gap" title="Fill this in">ETR not yet known — say we will update them'
        "</mark>."
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("a\nb", "a<br>b"),
        ("a\r\nb", "a<br>b"),
        ("a\rb", "a<br>b"),
        ("a\n\nb", "a<br><br>b"),
    ],
)
def test_render_html_newlines(text, html):
    assert ph.render_html(text, {}) == html


def test_render_html_newline_inside_a_value():
    assert ph.render_html("<Cause>", {"cause": "line one\nline two"}) == (
        '<strong class="ph-value">line one<br>line two</strong>'
    )


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        "Ana & <b>Bo</b>",
    ],
)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_markup_in_a_value_is_escaped(name, value):
    out = ph.render_html(f"<{name}>", {ph.KEYS[name]: value})
    assert "<script" not in out
    assert "<img" not in out
    assert "<b>" not in out
    assert out.startswith('<strong class="ph-value">')
    assert out.endswith("</strong>")
    assert "&lt;" in out


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",  # invalid: unknown placeholders, rendered raw
        "Hello <Customer Name> <script>alert(1)</script>",
        "Hello & goodbye <b>bold</b> <Customer Name",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_markup_in_the_text_is_escaped(text):
    out = ph.render_html(text, {"customer_name": "Ana"})
    assert "<script" not in out
    assert "<img" not in out
    assert "<b>" not in out
    assert "&lt;" in out


def test_escaped_text_around_valid_placeholders():
    text = 'Say "5 & 6" to <Customer Name>'
    assert ph.render_html(text, {"customer_name": "O'Neil"}) == (
        'Say &quot;5 &amp; 6&quot; to <strong class="ph-value">O&#x27;Neil</strong>'
    )


def test_render_html_returns_a_plain_str():
    assert type(ph.render_html("<ETR>", {"etr": "17:30"})) is str


def test_module_imports_only_the_standard_library():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(ph))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {
        "__future__",
        "collections",
        "dataclasses",
        "difflib",
        "functools",
        "html",
        "re",
        "typing",
    }
