"""Tree and configuration pictures: valid SVG holding every word, tag and label; real PNGs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nlpjourney.parsing.conllu import read_conllu, ud_english
from nlpjourney.parsing.draw import _levels, draw_configuration, draw_tree
from nlpjourney.parsing.transitions import ArcEager

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TEXT = (
    "1\tR&D\t_\tNOUN\t_\t_\t2\tnsubj\t_\t_\n"
    "2\tpays\t_\tVERB\t_\t_\t0\troot\t_\t_\n"
    "3\t<off>\t_\tX\t_\t_\t2\tobj\t_\t_\n\n"
)


def _texts(svg: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(svg).iter(f"{SVG}text")]


def test_draw_tree_svg_holds_every_word_tag_and_relation() -> None:
    sentence = next(s for s in ud_english("lines", "dev") if len(s) >= 10)
    svg = draw_tree(sentence)
    assert isinstance(svg, str)
    texts = _texts(svg)
    for word in sentence.words:
        assert word.form in texts and word.upos in texts and word.deprel in texts
    # One curve per arc plus the root's arrow, and an arrow head on each.
    paths = ET.fromstring(svg).findall(f"{SVG}path")
    assert len(paths) == 2 * len(sentence)


def test_draw_tree_escapes_markup_and_writes_files(tmp_path: Path) -> None:
    [sentence] = read_conllu(TEXT)
    svg = draw_tree(sentence, tmp_path / "tree.svg")
    assert "R&amp;D" in svg and "&lt;off&gt;" in svg and "R&D" in _texts(svg)
    assert (tmp_path / "tree.svg").read_text(encoding="utf-8") == svg
    png = draw_tree(sentence, tmp_path / "tree.png")
    assert isinstance(png, bytes) and png.startswith(PNG_SIGNATURE)
    assert (tmp_path / "tree.png").read_bytes() == png
    with pytest.raises(ValueError, match="'svg' or 'png'"):
        draw_tree(sentence, tmp_path / "tree.pdf")
    with pytest.raises(TypeError, match="takes a Sentence"):
        draw_tree("not a sentence")  # type: ignore[arg-type]


def test_draw_levels_put_nested_arcs_below_the_arcs_around_them() -> None:
    arcs = [(3, 0), (3, 1), (1, 2), (3, 4), (4, 5), (6, 3)]
    levels = dict(zip(arcs, _levels(arcs), strict=True))
    assert levels[(1, 2)] == levels[(3, 4)] == levels[(4, 5)] == 1
    assert levels[(3, 1)] == 2 and levels[(3, 0)] == 3 and levels[(6, 3)] == 2
    for outer in arcs:
        for inner in arcs:
            span_o, span_i = sorted(outer), sorted(inner)
            if inner != outer and span_o[0] <= span_i[0] and span_i[1] <= span_o[1]:
                assert levels[inner] < levels[outer]


def test_draw_configuration_shows_stack_buffer_and_arcs(tmp_path: Path) -> None:
    [sentence] = read_conllu(TEXT)
    system = ArcEager()
    config = system.initial(3)
    system.apply(config, "SHIFT")
    system.apply(config, "LEFT-ARC", "nsubj")
    svg = draw_configuration(config, sentence)
    texts = _texts(svg)
    assert texts.count("ROOT") == 2  # in the row and on the stack
    assert "nsubj" in texts and texts.count("pays") == 2  # in the row and in the buffer
    assert any(t.startswith("stack") for t in texts) and any(t.startswith("buffer") for t in texts)
    # The three boxes: ROOT on the stack, "pays" and "<off>" in the buffer.
    assert len(re.findall(r'<rect x=[^>]*fill="none"', svg)) == 3
    png = draw_configuration(config, sentence, tmp_path / "state.png")
    assert isinstance(png, bytes) and png.startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match="for 2 words but the sentence has 3"):
        draw_configuration(system.initial(2), sentence)
