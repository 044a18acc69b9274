import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import EXAMPLE_CONFIG_PATH, BehaviourConfig, load_behaviour, load_default_behaviour, parse_behaviour
from bot.settings import ConfigError, Settings
from knowledge.dense import DenseUse

MINIMAL = {"channels": {"cases": "C0CASES", "emergency": "C0EMERG"}}


def parse(data: dict) -> object:
    return parse_behaviour(data, "supportbot.toml", Path("."))


def test_the_example_file_is_valid_and_documents_the_defaults() -> None:
    config = load_default_behaviour()
    assert config.language == "ja"
    assert config.channels.cases == "C0CASES"
    assert config.sla.high.target == timedelta(hours=2)
    assert config.sla.high.calendar == "24x7"
    assert config.sla.medium.target == timedelta(hours=6)
    assert config.sla.low.calendar == "business"
    assert config.business_hours.start == time(10, 0)
    assert config.cases.reopen_window == timedelta(days=14)
    assert EXAMPLE_CONFIG_PATH.name == "supportbot.example.toml"


def test_the_example_file_shows_every_key() -> None:
    text = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")

    def shown(section: str, name: str, annotation: object) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return f"[{section}.{name}]" in text  # a table of its own, e.g. [sla.high]
        return re.search(rf"^#?\s*{name} = ", text, re.MULTILINE) is not None

    missing = []
    for section, field in BehaviourConfig.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            missing += [
                f"[{section}] {n}" for n, f in model.model_fields.items() if not shown(section, n, f.annotation)
            ]
        elif section == "plans":  # a table per plan, e.g. [plans.premier]
            if "[plans." not in text:
                missing.append(section)
        elif section != "base_dir" and not shown("", section, model):
            missing.append(section)
    assert missing == []


def test_minimal_config_gets_defaults() -> None:
    config = parse(MINIMAL)
    assert config.channels.faq == []
    assert config.agents.users == []
    assert 0 < config.faq.suggest_threshold <= config.faq.answer_threshold <= 1


def test_unknown_key_is_named_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as error:
        parse({**MINIMAL, "channels": {**MINIMAL["channels"], "casse": "C1"}})
    message = str(error.value)
    assert "[channels] casse: unknown key" in message
    assert "cases, emergency, faq" in message


def test_unknown_section_is_an_error() -> None:
    with pytest.raises(ConfigError, match="slaa: unknown key"):
        parse({**MINIMAL, "slaa": {}})


def test_missing_required_key_says_how_to_fix() -> None:
    with pytest.raises(ConfigError, match=r"\[channels\] emergency: missing; add it \(channel ID"):
        parse({"channels": {"cases": "C0CASES"}})


def test_channel_name_instead_of_id_is_explained() -> None:
    with pytest.raises(ConfigError, match=r"\[channels\] cases: '#cases' is not a Slack channel ID"):
        parse({"channels": {"cases": "#cases", "emergency": "C0EMERG"}})


def test_wrong_values_in_nested_sections_are_reported_together() -> None:
    with pytest.raises(ConfigError) as error:
        parse(
            {
                **MINIMAL,
                "agents": {"users": ["sato"]},
                "sla": {"high": {"target": "2 hours", "calendar": "24x7"}},
                "business_hours": {"start": "18:00", "end": "10:00"},
            }
        )
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "[agents] users[0]" in message
    assert "[sla.high] target" in message
    assert "[business_hours] end: must be later than start" in message


def test_the_oncall_fallback_is_a_user_group_or_here_by_default() -> None:
    assert parse(MINIMAL).oncall.fallback == "here"
    assert parse(MINIMAL).oncall.fallback_group is None
    grouped = parse({**MINIMAL, "oncall": {"fallback": "S0SRE"}})
    assert (grouped.oncall.fallback, grouped.oncall.fallback_group) == ("S0SRE", "S0SRE")
    for wrong in ("U0SATO", "@sre", "channel", ""):
        with pytest.raises(ConfigError, match=r"\[oncall\] fallback: .* neither a user group ID .* nor \"here\""):
            parse({**MINIMAL, "oncall": {"fallback": wrong}})


def test_the_replaced_fallback_keys_fail_naming_the_new_key() -> None:
    """Issue 9, defect 3: two overlapping keys became [oncall] fallback; an old config must not start silently."""
    with pytest.raises(ConfigError) as error:
        parse(
            {
                **MINIMAL,
                "escalation": {"oncall_fallback": "S0SRE"},
                "oncall": {"fallback_usergroup": "S0SRE"},
                "agents": {"users": ["sato"]},
            }
        )
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "[escalation] oncall_fallback: replaced by [oncall] fallback" in message
    assert "[oncall] fallback_usergroup: replaced by [oncall] fallback" in message
    assert "[agents] users[0]" in message  # other problems are still reported with them


def test_suggest_threshold_above_answer_threshold_is_rejected() -> None:
    with pytest.raises(ConfigError, match="must not exceed answer_threshold"):
        parse({**MINIMAL, "faq": {"answer_threshold": 0.5, "suggest_threshold": 0.6}})


@pytest.mark.parametrize(
    ("value", "use"),
    [(None, DenseUse.JUDGE), ("judge", DenseUse.JUDGE), ("confirm", DenseUse.CONFIRM), ("suggestions", DenseUse.SUGGESTIONS),
     ("ranking", DenseUse.RANKING),
     ("off", DenseUse.OFF), (True, DenseUse.RANKING), (False, DenseUse.OFF)],
)  # fmt: skip
def test_dense_says_what_the_embeddings_are_for_and_keeps_the_old_booleans(value: object, use: DenseUse) -> None:
    faq = {} if value is None else {"dense": value}
    config = parse({**MINIMAL, "faq": faq})
    assert config.faq.dense is use  # type: ignore[attr-defined]


def test_a_wrong_dense_value_names_the_key_and_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"\[faq\] dense.*(suggestions|ranking|off)"):
        parse({**MINIMAL, "faq": {"dense": "always"}})


def test_missing_file_says_to_copy_the_example(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"copy supportbot\.example\.toml"):
        load_behaviour(tmp_path / "supportbot.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "supportbot.toml"
    path.write_text("[channels\ncases = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_behaviour(path)


def test_relative_knowledge_path_starts_at_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "supportbot.toml"
    path.write_text(
        '[channels]\ncases = "C0CASES"\nemergency = "C0EMERG"\n[faq]\nknowledge_path = "kb"\n', encoding="utf-8"
    )
    assert load_behaviour(path).knowledge_path() == tmp_path.resolve() / "kb"


def test_settings_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///supportbot.db"
    assert settings.slack_api_base_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert not settings.has_slack


def test_settings_normalise_urls() -> None:
    settings = Settings.from_env(
        {"SLACK_API_BASE_URL": "http://127.0.0.1:9/api", "DATABASE_URL": "postgres://u@h:5432/db"}
    )
    assert settings.slack_api_base_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "postgresql+psycopg://u@h:5432/db"


def test_bad_environment_names_each_variable() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"PORT": "eighty", "LOG_LEVEL": "loud", "DATABASE_URL": "supportbot.db"})
    message = str(error.value)
    assert "PORT='eighty'" in message and "LOG_LEVEL='LOUD'" in message and "DATABASE_URL" in message


def test_slack_settings_are_checked_when_connecting() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is required"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()
    with pytest.raises(ConfigError, match="starts with xoxb-"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}).require_slack()
    Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()


def test_the_spool_directory_comes_from_the_environment() -> None:
    assert Settings.from_env({}).spool_dir == Path("spool")
    assert Settings.from_env({"SUPPORTBOT_SPOOL_DIR": "/var/lib/supportbot/spool"}).spool_dir == Path(
        "/var/lib/supportbot/spool"
    )


def test_an_unsure_answer_offers_others_below_a_probability_and_up_to_five_suggestions() -> None:
    faq = parse(MINIMAL).faq  # type: ignore[attr-defined]
    assert (faq.offer_others_below, faq.max_suggestions) == (0.85, 5)
    assert parse({**MINIMAL, "faq": {"offer_others_below": 0}}).faq.offer_others_below == 0  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"\[faq\] offer_others_below"):
        parse({**MINIMAL, "faq": {"offer_others_below": 1.5}})
    with pytest.raises(ConfigError, match=r"\[faq\] max_suggestions"):
        parse({**MINIMAL, "faq": {"max_suggestions": 6}})


def test_answer_confidence_is_a_probability_and_a_wrong_one_names_the_key() -> None:
    assert parse(MINIMAL).faq.answer_confidence == 0.65  # type: ignore[attr-defined]
    assert parse({**MINIMAL, "faq": {"answer_confidence": 0.9}}).faq.answer_confidence == 0.9  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"\[faq\] answer_confidence"):
        parse({**MINIMAL, "faq": {"answer_confidence": 1.5}})
