"""Canvas layout: cards in execution order, nested lanes, an insertion point around every card."""

from __future__ import annotations

from app.core.project_file import load_project
from app.core.registry import default_registry
from app.ui.canvas_layout import CARD_HEIGHT, layout_workflow
from tests.conftest import EXAMPLE, action, endpoint


def test_cards_follow_execution_order_with_containers_nesting_their_slots():
    layout = layout_workflow(load_project(EXAMPLE).endpoint("long-import"), default_registry())
    assert [card.path for card in layout.cards] == [
        (0,), (1,), (1, "body", 0), (1, "body", 1), (1, "body", 1, "then", 0), (1, "body", 1, "then", 1), (2,),
    ]
    tops = [card.rect.y for card in layout.cards]
    assert tops == sorted(tops)
    depth_x = {card.depth: card.rect.x for card in layout.cards}
    assert depth_x[0] < depth_x[1] < depth_x[2], "nested lanes are indented"
    assert [lane.label for lane in layout.lanes] == ["body", "then", "else"]


def test_every_slot_has_insertion_points_at_start_between_and_end():
    layout = layout_workflow(load_project(EXAMPLE).endpoint("long-import"), default_registry())
    paths = {point.path for point in layout.inserts}
    assert {(0,), (1,), (2,), (3,)} <= paths
    assert {(1, "body", 0), (1, "body", 1), (1, "body", 2)} <= paths
    assert (1, "body", 1, "else", 0) in paths, "an empty slot still takes a drop"


def test_hit_testing_finds_the_card_and_the_nearest_insertion_point():
    layout = layout_workflow(load_project(EXAMPLE).endpoint("long-import"), default_registry())
    wait = layout.cards[5]
    assert layout.card_at(wait.rect.x + 5, wait.rect.y + CARD_HEIGHT / 2) is wait
    assert layout.card_at(0, wait.rect.y) is None
    point = layout.insert_near(wait.rect.x + 10, wait.rect.bottom + 4)
    assert point is not None and point.path == (1, "body", 1, "then", 2)
    outer = layout.insert_near(layout.cards[0].rect.x + 2, layout.cards[-1].rect.y - 10)
    assert outer is not None and outer.path == (2,), "left of the lane, the outer slot wins"


def test_unknown_action_types_still_get_a_card():
    layout = layout_workflow(endpoint([action("x", "no.such")]), default_registry())
    assert layout.cards[0].title == "no.such" and layout.cards[0].icon == "error"


def test_a_large_workflow_is_laid_out_linearly():
    big = endpoint([action(f"a{i}", "stream.send", eventData={"status": "x"}) for i in range(2000)])
    layout = layout_workflow(big, default_registry())
    assert len(layout.cards) == 2000 and len(layout.inserts) == 2001
    visible = layout.visible_cards(layout.cards[1000].rect.y, layout.cards[1000].rect.y + 600)
    assert 5 <= len(visible) <= 12, "painting only touches what is on screen"
