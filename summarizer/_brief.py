"""The brief: what a reader needs to know about one conflict article, as a pydantic model."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._text import count_sentences, format_value

SCHEMA_VERSION = "2"  # 2: `qualifier` replaced the `approximate` flag


class ActorKind(str, Enum):
    """What kind of party an actor is."""

    state_force = "state_force"
    non_state_armed_group = "non_state_armed_group"
    government = "government"
    international_org = "international_org"
    civilians = "civilians"
    media = "media"
    analyst_or_monitor = "analyst_or_monitor"
    other = "other"


class NumberCategory(str, Enum):
    """What a figure counts, broadly."""

    killed = "killed"
    wounded = "wounded"
    displaced_or_fled = "displaced_or_fled"
    troops_or_fighters = "troops_or_fighters"
    detained = "detained"
    vehicles_or_equipment = "vehicles_or_equipment"
    other = "other"


class Qualifier(str, Enum):
    """How the article bounds a figure."""

    exact = "exact"
    approximately = "approximately"
    at_least = "at_least"
    at_most = "at_most"


# The words that set a qualifier, as written right before a figure (or, for "or more", after it).
# One table serves the number finder, the figure semantics and the renderings.
BOUND_WORDS: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.at_least: (
        "at least", "more than", "over", "upwards of", "in excess of", "no fewer than",
        "no less than", "a minimum of", "just over", "well over", "at a minimum",
    ),
    Qualifier.at_most: (
        "up to", "as many as", "as high as", "no more than", "at most", "a maximum of",
        "fewer than", "less than", "not more than", "just under", "under",
    ),
    Qualifier.approximately: (
        "about", "around", "some", "nearly", "almost", "an estimated", "estimated", "roughly",
        "approximately", "close to", "around about", "~",
    ),
}
BOUND_WORDS_AFTER: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.at_least: ("or more", "plus", "+"),
    Qualifier.at_most: ("or fewer", "or less"),
    Qualifier.approximately: ("or so",),
}
# How a rendering states a bound when the evidence words it in a way not listed above.
_PLAIN_BOUND = {Qualifier.at_least: "at least", Qualifier.at_most: "up to",
                Qualifier.approximately: "about"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Actor(_Model):
    """A party to the story."""

    name: str = Field(min_length=1, description="Name as the article writes it.")
    kind: ActorKind = Field(description="What kind of party this is.")
    side: str | None = Field(
        default=None, description="Whom they fight or back, if stated."
    )
    role: str = Field(description="What they did in this story, in a few words.")
    evidence: str = Field(
        min_length=1, description="Verbatim span of the article naming them."
    )


class Figure(_Model):
    """A number the article reports: casualties, displaced people, troops, vehicles..."""

    value: int | float | None = Field(
        default=None,
        description="Plain number (1,500 -> 1500); null for a range or 'hundreds'.",
    )
    low: int | float | None = Field(default=None, description="Range low end.")
    high: int | float | None = Field(default=None, description="Range high end.")
    qualifier: Qualifier = Field(
        default=Qualifier.exact,
        description="How the article bounds it: exact; approximately (about, around, some, "
        "nearly, an estimated, 'hundreds'); at_least (at least, more than, over); at_most "
        "(up to, as many as, no more than).",
    )
    counts: str = Field(
        min_length=1,
        description="What is counted, in the article's words, e.g. 'civilians who fled Baghouz "
        "on Monday'.",
    )
    category: NumberCategory = Field(
        description="What happened to what it counts, as its own clause says: killed, wounded, "
        "displaced_or_fled, detained, troops_or_fighters (a force's size), "
        "vehicles_or_equipment, or other."
    )
    attributed_to: str | None = Field(
        default=None, description="Who gave the figure, if stated."
    )
    evidence: str = Field(
        min_length=1,
        description="Verbatim sentence (or part) of the article stating the figure.",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> Figure:
        ranged = self.low is not None or self.high is not None
        if ranged and (self.low is None or self.high is None):
            raise ValueError("a range needs both low and high")
        if ranged and self.value is not None:
            raise ValueError("give either value or low/high, not both")
        if ranged and self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        if not ranged and self.value is None and self.qualifier is Qualifier.exact:
            raise ValueError(
                "a figure without value or range must be approximately ('hundreds')")
        return self

    def display(self) -> str:
        """The figure as a reader would write it: 'at least 3,545', 'more than 20,000',
        'about 1,500', '400-600'; the bound in the article's own words where its evidence
        has them."""
        if self.value is not None:
            text = format_value(self.value)
        elif self.low is not None and self.high is not None:
            text = f"{format_value(self.low)}\u2013{format_value(self.high)}"
        else:
            return "an unstated number"
        if self.qualifier is Qualifier.exact:
            return text
        return f"{self._bound_words()} {text}"

    def _bound_words(self) -> str:
        first = self.value if self.value is not None else self.low
        assert first is not None
        forms = {format_value(first), format_value(first).replace(",", "")}
        evidence = " ".join(self.evidence.split()).lower()
        for phrase in sorted(BOUND_WORDS[self.qualifier], key=len, reverse=True):
            for form in forms:
                at = evidence.find(f"{phrase} {form}")
                if at >= 0 and (at == 0 or not evidence[at - 1].isalnum()):
                    return phrase
        return _PLAIN_BOUND[self.qualifier]


class Signal(_Model):
    """One thing the article expects to happen next."""

    statement: str = Field(min_length=1, description="What is expected next.")
    attributed_to: str | None = Field(
        default=None, description="Who expects it, if stated."
    )
    evidence: str = Field(
        min_length=1, description="Verbatim span of the article it rests on."
    )


class Outlook(_Model):
    """What comes next."""

    summary: str = Field(description="1-2 sentences on what comes next.")
    signals: list[Signal] = Field(
        default_factory=list, description="Forward-looking statements reported."
    )


class Brief(_Model):
    """A structured, source-grounded brief of one news article about armed conflict."""

    situation: str = Field(
        min_length=1, description="1-4 sentences: what happened, where and when."
    )
    where: list[str] = Field(
        default_factory=list, description="Places named, most specific first."
    )
    when: str | None = Field(
        default=None, description="When, as the article states it."
    )
    actors: list[Actor] = Field(default_factory=list, description="Who is involved.")
    numbers: list[Figure] = Field(default_factory=list, description="The figures reported.")
    outlook: Outlook = Field(description="What is expected next, and who expects it.")

    @field_validator("situation")
    @classmethod
    def _short_situation(cls, text: str) -> str:
        if count_sentences(text) > 4:
            raise ValueError("the situation must be 1-4 sentences")
        return text

    def to_markdown(self) -> str:
        """The brief as Markdown, for chat platforms that render it."""
        lines = ["## Situation", "", self.situation]
        facts = []
        if self.where:
            facts.append(f"**Where:** {', '.join(self.where)}")
        if self.when:
            facts.append(f"**When:** {self.when}")
        if facts:
            lines += ["", "  \n".join(facts)]
        if self.actors:
            lines += ["", "## Actors", ""]
            for a in self.actors:
                side = f"; side: {a.side}" if a.side else ""
                lines.append(f"- **{_md(a.name)}** ({_kind(a.kind)}{side}): {_md(a.role)}")
        if self.numbers:
            lines += ["", "## Numbers", ""]
            for n in self.numbers:
                by = f" \u2014 according to {_md(n.attributed_to)}" if n.attributed_to else ""
                lines.append(f"- **{n.display()}** {_md(n.counts)} ({_kind(n.category)}){by}")
                lines.append(f"  > {_md(n.evidence)}")
        lines += ["", "## Outlook", "", self.outlook.summary or "Nothing stated."]
        for s in self.outlook.signals:
            by = f" ({_md(s.attributed_to)})" if s.attributed_to else ""
            lines.append(f"- {_md(s.statement)}{by}")
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        """The brief as plain text, readable where Markdown is not rendered."""
        lines = ["SITUATION", self.situation]
        if self.where:
            lines.append(f"Where: {', '.join(self.where)}")
        if self.when:
            lines.append(f"When: {self.when}")
        if self.actors:
            lines += ["", "ACTORS"]
            for a in self.actors:
                side = f"; side: {a.side}" if a.side else ""
                lines.append(f"- {a.name} ({_kind(a.kind)}{side}): {a.role}")
        if self.numbers:
            lines += ["", "NUMBERS"]
            for n in self.numbers:
                by = f", according to {n.attributed_to}" if n.attributed_to else ""
                lines.append(f"- {n.display()} {n.counts} ({_kind(n.category)}){by}")
                lines.append(f'    "{n.evidence}"')
        lines += ["", "OUTLOOK", self.outlook.summary or "Nothing stated."]
        for s in self.outlook.signals:
            by = f" ({s.attributed_to})" if s.attributed_to else ""
            lines.append(f"- {s.statement}{by}")
        return "\n".join(lines) + "\n"


def _kind(value: Enum) -> str:
    return str(value.value).replace("_", " ")


def _md(text: str) -> str:
    # Keep article text from turning into Markdown markup by accident.
    return text.replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
