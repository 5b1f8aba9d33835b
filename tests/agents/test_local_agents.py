import pytest

from pausepoint.agents.base import AgentError, AgentOutput, AgentRequest
from pausepoint.agents.local import Calculator, Statistics, Summarizer, UnitConverter


async def test_calculator_evaluates_arithmetic_written_with_symbols_and_words() -> None:
    calc = Calculator()
    assert (await calc.arun(AgentRequest("what is 2 + 3 * 4"), {})).data["value"] == 14
    assert (await calc.arun(AgentRequest("calculate 15% of 80"), {})).data["value"] == 12
    assert (await calc.arun(AgentRequest("compute sqrt(144) / 3"), {})).data["value"] == 4
    assert (await calc.arun(AgentRequest("7 times 6 minus 2"), {})).data["value"] == 40


async def test_calculator_uses_the_previous_result_for_it() -> None:
    previous = AgentOutput(text="2 + 3 = 5", data={"value": 5.0})
    out = await Calculator().arun(AgentRequest("multiply it by 4", {"t1": previous}), {})
    assert out.data["value"] == 20


async def test_calculator_refuses_code_and_text_without_numbers() -> None:
    with pytest.raises(AgentError):
        await Calculator().arun(AgentRequest("__import__('os').system('true')"), {})
    with pytest.raises(AgentError):
        await Calculator().arun(AgentRequest("what is love"), {})


async def test_statistics_describes_the_numbers_in_the_request() -> None:
    out = await Statistics().arun(AgentRequest("statistics of 2, 4, 4, 4, 5, 5, 7, 9"), {})
    assert out.data["count"] == 8
    assert out.data["mean"] == 5
    assert out.data["median"] == 4.5
    assert (out.data["min"], out.data["max"]) == (2, 9)
    assert round(out.data["stdev"], 4) == 2.1381
    assert "mean 5" in out.text


async def test_unit_converter_converts_length_mass_and_temperature() -> None:
    conv = UnitConverter()
    km = await conv.arun(AgentRequest("convert 5 km to miles"), {})
    assert round(km.data["value"], 4) == 3.1069
    lb = await conv.arun(AgentRequest("how much is 10 lb in kg"), {})
    assert round(lb.data["value"], 4) == 4.5359
    temp = await conv.arun(AgentRequest("212 fahrenheit to celsius"), {})
    assert round(temp.data["value"], 6) == 100


async def test_unit_converter_refuses_mismatched_dimensions() -> None:
    with pytest.raises(AgentError, match="cannot convert"):
        await UnitConverter().arun(AgentRequest("convert 5 km to kg"), {})


async def test_summarizer_keeps_the_most_representative_sentences_in_order() -> None:
    text = (
        "summarize: The harbour was quiet. The fox watched the harbour boats all night. "
        "Gulls argued about bread. At dawn the fox followed the boats out of the harbour."
    )
    out = await Summarizer().arun(AgentRequest(text), {})
    assert out.text == (
        "The fox watched the harbour boats all night. "
        "At dawn the fox followed the boats out of the harbour."
    )
