"""Vocabulary files: the bundled data, and how a team's own files extend or replace it."""

from __future__ import annotations

from pathlib import Path

from knowledge.normalize import matching_key
from knowledge.vocabulary import (
    BUNDLED_VOCABULARY,
    TermGroup,
    load_vocabulary,
    vocabulary_files,
    vocabulary_folder_for,
)


def _group(vocabulary_groups: tuple[TermGroup, ...], name: str) -> TermGroup:
    matches = [g for g in vocabulary_groups if g.key == matching_key(name)]
    assert matches, f"no group {name}"
    return matches[0]


def test_every_bundled_file_explains_its_format_first() -> None:
    files = sorted(BUNDLED_VOCABULARY.glob("*.tsv"))
    assert {f.name for f in files} >= {"synonyms.tsv", "stopwords.tsv"}
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("#"), path.name


def test_bundled_vocabulary_has_support_concepts() -> None:
    vocabulary = load_vocabulary()
    cancel = _group(vocabulary.groups, "解約")
    assert {"退会", "cancel subscription"} <= set(cancel.variants)
    assert "契約+やめる" in cancel.variants
    card = _group(vocabulary.groups, "クレジットカード")
    assert card.broader == ("支払い方法",)
    assert vocabulary.stopword_weight("教える") == 0.0
    assert vocabulary.stopword_weight("方法") == 0.3
    assert vocabulary.stopword_weight("解約") is None


def test_readings_merge_into_the_synonym_group_of_the_same_name() -> None:
    api = _group(load_vocabulary().groups, "API")
    assert "エーピーアイ" in api.variants and "web api" in api.variants


def test_no_word_is_both_a_stopword_and_a_concept_name_by_accident() -> None:
    vocabulary = load_vocabulary()
    names = {g.key for g in vocabulary.groups}
    # Generic concept names may be weighted down on purpose, but never switched off entirely.
    for word, weight in vocabulary.stopwords.items():
        if matching_key(word) in names:
            assert weight > 0.0, word


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_team_files_extend_the_bundled_ones(tmp_path: Path) -> None:
    _write(tmp_path, "expense.tsv", "# our words\n交通費\t電車賃\t運賃\ttrain fare\n解約\t契約終了届\n")
    vocabulary = load_vocabulary(tmp_path)
    assert set(_group(vocabulary.groups, "交通費").variants) == {"交通費", "電車賃", "運賃", "train fare"}
    cancel = _group(vocabulary.groups, "解約")
    assert "契約終了届" in cancel.variants and "退会" in cancel.variants  # merged, not replaced


def test_a_team_file_with_a_bundled_name_replaces_it(tmp_path: Path) -> None:
    _write(tmp_path, "stopwords.tsv", "# only these\nちなみに\n方法\t0.8\n")
    vocabulary = load_vocabulary(tmp_path)
    assert vocabulary.stopword_weight("ちなみに") == 0.0
    assert vocabulary.stopword_weight("方法") == 0.8
    assert vocabulary.stopword_weight("教える") is None
    names = [p.name for p in vocabulary_files([BUNDLED_VOCABULARY, tmp_path])]
    assert names.count("stopwords.tsv") == 1


def test_minus_lines_remove_words_everywhere(tmp_path: Path) -> None:
    _write(tmp_path, "local.tsv", "-キャンセル\n-方法\n-退会\n")
    vocabulary = load_vocabulary(tmp_path)
    assert all(matching_key(g.canonical) != matching_key("キャンセル") for g in vocabulary.groups)
    assert "退会" not in _group(vocabulary.groups, "解約").variants
    assert vocabulary.stopword_weight("方法") is None


def test_malformed_lines_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "odd.tsv", "\n\t\n# comment\n単語だけ\n>\n正常\t普通\n")
    _write(tmp_path, "stopwords-extra.tsv", "ほげ\tnot-a-weight\nふが\t2.5\n")
    vocabulary = load_vocabulary(tmp_path)
    assert set(_group(vocabulary.groups, "正常").variants) == {"正常", "普通"}
    assert vocabulary.stopword_weight("ほげ") == 0.0
    assert vocabulary.stopword_weight("not-a-weight") == 0.0
    assert vocabulary.stopword_weight("ふが") == 1.0  # clamped to 0..1


def test_missing_team_folder_is_fine(tmp_path: Path) -> None:
    assert load_vocabulary(tmp_path / "nothing-here").groups == load_vocabulary().groups


def test_vocabulary_folder_is_next_to_the_knowledge(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text("# x\n", encoding="utf-8")
    assert vocabulary_folder_for(tmp_path) == tmp_path / "vocabulary"
    assert vocabulary_folder_for(tmp_path / "faq.md") == tmp_path / "vocabulary"
