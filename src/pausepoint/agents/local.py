"""Local tool agents that do real work offline on the data given in the request.

* calculator: arithmetic expressions (`2 + 3 * 4`, `what is 15% of 80`, `sqrt(16)`)
* statistics: mean, median, min, max, standard deviation of the numbers in the request
* unit-converter: length, mass, volume, time, speed and temperature (`5 km to miles`)
* summarizer: extractive summary (the highest scoring sentences, in their order)
"""

from __future__ import annotations

import ast
import math
import operator
import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig

from pausepoint.agents.base import AgentError, AgentOutput, AgentRequest, Needs
from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.agents.scoring import STOPWORDS

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _fmt(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _previous_number(inputs: Mapping[str, AgentOutput]) -> float | None:
    for output in reversed(list(inputs.values())):
        if isinstance(output.data, dict) and isinstance(output.data.get("value"), int | float):
            return float(output.data["value"])
    return None


# calculator

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
}
_NUM = r"(-?\d+(?:\.\d+)?)"
_WORDS = [
    (rf"\bmultiply\s+{_NUM}\s+(?:by|and|with)\s+{_NUM}", r"\1 * \2"),
    (rf"\bdivide\s+{_NUM}\s+by\s+{_NUM}", r"\1 / \2"),
    (rf"\badd\s+{_NUM}\s+(?:and|to)\s+{_NUM}", r"\1 + \2"),
    (rf"\bsubtract\s+{_NUM}\s+from\s+{_NUM}", r"\2 - \1"),
    (r"\bplus\b|\badded to\b", "+"),
    (r"\bminus\b|\bless\b", "-"),
    (r"\btimes\b|\bmultiplied by\b|\bx\b", "*"),
    (r"\bdivided by\b|\bover\b", "/"),
    (r"\bto the power of\b|\^", "**"),
    (r"\bsquare root of\b", "sqrt"),
    (r"(\d+(?:\.\d+)?)\s*% of\b", r"\1/100*"),
    (r"(\d+(?:\.\d+)?)\s*percent of\b", r"\1/100*"),
]


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 1000:
            raise AgentError("exponent too large")
        return float(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return float(_UNARY[type(node.op)](_evaluate(node.operand)))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return float(_FUNCTIONS[node.func.id](*[_evaluate(a) for a in node.args]))
    raise AgentError("only numbers, + - * / // % ** and sqrt/abs/round/log/sin/cos/exp")


def extract_expression(text: str, previous: float | None = None) -> str:
    """The arithmetic inside a sentence: words for operators become symbols."""
    lowered = text.lower()
    if previous is not None:
        lowered = re.sub(r"\b(?:it|that|the result|this)\b", _fmt(previous), lowered)
    for pattern, symbol in _WORDS:
        lowered = re.sub(pattern, f" {symbol} " if "\\1" not in symbol else symbol, lowered)
    allowed = re.findall(r"\d+(?:\.\d+)?|\*\*|//|[-+*/%()]|[a-z]+", lowered)
    kept: list[str] = []
    for token in allowed:
        if token.isalpha() and token not in _FUNCTIONS:
            continue
        kept.append(token)
    expression = " ".join(kept).replace("( ", "(").replace(" )", ")")
    expression = re.sub(r"^[\s*/+%]+|[\s*/+\-%]+$", "", expression)
    return expression


class Calculator:
    card = AgentCard(
        name="calculator",
        description="Evaluates arithmetic: add, subtract, multiply, divide, powers, "
        "percentages and square roots of the numbers in the request.",
        skills=(
            AgentSkill(
                id="arithmetic",
                name="Arithmetic",
                description="Compute the value of a math expression.",
                tags=(
                    "math",
                    "arithmetic",
                    "calculate",
                    "compute",
                    "add",
                    "plus",
                    "minus",
                    "subtract",
                    "multiply",
                    "times",
                    "divide",
                    "percent",
                    "square",
                    "root",
                    "power",
                    "expression",
                    "evaluate",
                ),
                examples=("what is 2 + 3 * 4", "calculate 15% of 80", "compute sqrt(144) / 3"),
            ),
        ),
    )

    needs = Needs(_NUMBER, "What should I calculate?", "what is 2 + 3 * 4")

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        expression = extract_expression(request.task, _previous_number(request.inputs))
        if not _NUMBER.search(expression):
            raise AgentError(f"no arithmetic found in {request.task!r}")
        try:
            value = _evaluate(ast.parse(expression, mode="eval"))
        except (SyntaxError, ZeroDivisionError, ValueError, OverflowError) as exc:
            raise AgentError(f"cannot evaluate {expression!r}: {exc}") from exc
        return AgentOutput(
            text=f"{expression} = {_fmt(value)}", data={"expression": expression, "value": value}
        )


# statistics


class Statistics:
    card = AgentCard(
        name="statistics",
        description="Descriptive statistics of a list or table of numbers given in the "
        "request: count, sum, mean (average), median, min, max, standard deviation.",
        skills=(
            AgentSkill(
                id="describe",
                name="Describe numbers",
                description="Summary statistics of a data set.",
                tags=(
                    "statistics",
                    "stats",
                    "mean",
                    "average",
                    "median",
                    "deviation",
                    "variance",
                    "data",
                    "table",
                    "analyze",
                    "analysis",
                    "numbers",
                    "dataset",
                ),
                examples=("average of 3, 5, 8 and 13", "statistics for this table: 4 8 15 16"),
            ),
        ),
    )

    needs = Needs(_NUMBER, "Which numbers should I analyse?", "120, 340, 560")

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        numbers = [float(n) for n in _NUMBER.findall(request.task)]
        for output in request.inputs.values():
            if isinstance(output.data, dict) and isinstance(output.data.get("value"), float):
                numbers.append(output.data["value"])
        if not numbers:
            raise AgentError(f"no numbers found in {request.task!r}")
        data = {
            "count": len(numbers),
            "sum": math.fsum(numbers),
            "mean": statistics.fmean(numbers),
            "median": statistics.median(numbers),
            "min": min(numbers),
            "max": max(numbers),
            "stdev": statistics.stdev(numbers) if len(numbers) > 1 else 0.0,
        }
        text = ", ".join(f"{k} {_fmt(v)}" for k, v in data.items())
        return AgentOutput(text=text, data=data)


# unit conversion

_UNITS: dict[str, tuple[str, float]] = {
    # length (metre)
    "mm": ("length", 0.001), "millimeter": ("length", 0.001), "cm": ("length", 0.01),
    "centimeter": ("length", 0.01), "m": ("length", 1.0), "meter": ("length", 1.0),
    "metre": ("length", 1.0), "km": ("length", 1000.0), "kilometer": ("length", 1000.0),
    "kilometre": ("length", 1000.0), "in": ("length", 0.0254), "inch": ("length", 0.0254),
    "ft": ("length", 0.3048), "foot": ("length", 0.3048), "feet": ("length", 0.3048),
    "yd": ("length", 0.9144), "yard": ("length", 0.9144), "mi": ("length", 1609.344),
    "mile": ("length", 1609.344),
    # mass (kilogram)
    "g": ("mass", 0.001), "gram": ("mass", 0.001), "kg": ("mass", 1.0),
    "kilogram": ("mass", 1.0), "lb": ("mass", 0.45359237), "pound": ("mass", 0.45359237),
    "oz": ("mass", 0.028349523125), "ounce": ("mass", 0.028349523125),
    # volume (litre)
    "ml": ("volume", 0.001), "l": ("volume", 1.0), "liter": ("volume", 1.0),
    "litre": ("volume", 1.0), "gallon": ("volume", 3.785411784), "gal": ("volume", 3.785411784),
    "cup": ("volume", 0.2365882365),
    # time (second)
    "s": ("time", 1.0), "sec": ("time", 1.0), "second": ("time", 1.0), "min": ("time", 60.0),
    "minute": ("time", 60.0), "h": ("time", 3600.0), "hour": ("time", 3600.0),
    "day": ("time", 86400.0), "week": ("time", 604800.0),
    # speed (metre per second)
    "kph": ("speed", 1 / 3.6), "kmh": ("speed", 1 / 3.6), "mph": ("speed", 0.44704),
    "mps": ("speed", 1.0),
}  # fmt: skip
_TEMPERATURE = {"c": "c", "celsius": "c", "f": "f", "fahrenheit": "f", "k": "k", "kelvin": "k"}
_CONVERSION = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*(?:degrees?\s+)?([a-z]+)\s+(?:to|in|into|as)\s+(?:degrees?\s+)?([a-z]+)"
)


def _unit(word: str) -> str:
    if word in _UNITS or word in _TEMPERATURE:
        return word
    for suffix in ("es", "s"):
        if word.endswith(suffix) and word[: -len(suffix)] in _UNITS:
            return word[: -len(suffix)]
    return word


def _to_kelvin(value: float, scale: str) -> float:
    return {"c": value + 273.15, "f": (value - 32) * 5 / 9 + 273.15, "k": value}[scale]


def _from_kelvin(value: float, scale: str) -> float:
    return {"c": value - 273.15, "f": (value - 273.15) * 9 / 5 + 32, "k": value}[scale]


def convert(value: float, source: str, target: str) -> float:
    """Convert `value` from unit `source` to `target`; AgentError if they do not match."""
    source, target = _unit(source), _unit(target)
    if source in _TEMPERATURE and target in _TEMPERATURE:
        return _from_kelvin(_to_kelvin(value, _TEMPERATURE[source]), _TEMPERATURE[target])
    if source not in _UNITS or target not in _UNITS:
        unknown = source if source not in _UNITS else target
        raise AgentError(f"unknown unit {unknown!r}")
    (dim_a, factor_a), (dim_b, factor_b) = _UNITS[source], _UNITS[target]
    if dim_a != dim_b:
        raise AgentError(f"cannot convert {dim_a} ({source}) to {dim_b} ({target})")
    return value * factor_a / factor_b


class UnitConverter:
    card = AgentCard(
        name="unit-converter",
        description="Converts measurements between units: length (km, miles, feet), mass "
        "(kg, pounds), volume (litres, gallons), time, speed and temperature.",
        skills=(
            AgentSkill(
                id="convert",
                name="Convert units",
                description="Convert a quantity from one unit to another.",
                tags=(
                    "convert",
                    "conversion",
                    "unit",
                    "units",
                    "km",
                    "miles",
                    "kg",
                    "pounds",
                    "celsius",
                    "fahrenheit",
                    "temperature",
                    "length",
                    "distance",
                    "weight",
                    "mass",
                    "volume",
                    "litres",
                    "gallons",
                    "feet",
                    "meters",
                ),
                examples=("convert 5 km to miles", "100 fahrenheit in celsius", "12 lb to kg"),
            ),
        ),
    )

    needs = Needs(_CONVERSION, "What should I convert?", "5 km to miles")

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        match = _CONVERSION.search(request.task.lower())
        if match is None:
            raise AgentError(f"no '<number> <unit> to <unit>' found in {request.task!r}")
        value, source, target = float(match.group(1)), match.group(2), match.group(3)
        result = convert(value, source, target)
        return AgentOutput(
            text=f"{_fmt(value)} {source} = {_fmt(round(result, 4))} {target}",
            data={"value": result, "from": source, "to": target, "input": value},
        )


# summarisation


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def summarize(text: str, max_sentences: int = 2) -> str:
    """The `max_sentences` sentences with the most frequent content words, in order."""
    sentences = _sentences(text)
    if len(sentences) <= max_sentences:
        return " ".join(sentences)
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOPWORDS]
    freq = Counter(words)

    def weight(sentence: str) -> float:
        tokens = [w for w in re.findall(r"[a-z']+", sentence.lower()) if w not in STOPWORDS]
        return sum(freq[t] for t in tokens) / math.sqrt(len(tokens) or 1)

    best = sorted(range(len(sentences)), key=lambda i: (-weight(sentences[i]), i))
    return " ".join(sentences[i] for i in sorted(best[:max_sentences]))


class Summarizer:
    card = AgentCard(
        name="summarizer",
        description="Summarises text by extraction: keeps the most representative "
        "sentences of the text given in the request.",
        skills=(
            AgentSkill(
                id="summarize",
                name="Summarize text",
                description="Shorten a text to its key sentences.",
                tags=("summarize", "summary", "summarise", "text", "shorten", "tldr", "digest"),
                examples=("summarize: <text>", "give me a tl;dr of this article: <text>"),
            ),
        ),
    )

    needs = Needs(re.compile(r":\s*\S"), "Which text should I summarise?", "summarize: <text>")

    async def arun(self, request: AgentRequest, config: RunnableConfig) -> AgentOutput:
        _, sep, body = request.task.partition(":")
        text = body if sep and body.strip() else request.task
        for output in request.inputs.values():
            text = f"{text} {output.text}" if text.strip() else output.text
        summary = summarize(text)
        if not summary:
            raise AgentError("no text to summarise")
        return AgentOutput(text=summary, data={"summary": summary})


def local_agents() -> list[Calculator | Statistics | UnitConverter | Summarizer]:
    """The bundled offline tool agents."""
    return [Calculator(), Statistics(), UnitConverter(), Summarizer()]
