from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService


async def test_story_pauses_for_review_then_completes_on_accept(service: ThreadService) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    assert view.status is ThreadStatus.WAITING
    assert view.pauses[0].title == "Review the draft"
    done = await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert done.result["story"] == view.pauses[0].context["draft"]
