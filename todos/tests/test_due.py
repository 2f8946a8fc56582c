"""Due dates: set when adding and editing, shown as a person says them in the user's language and time zone, and
gathered across lists by /today/ and /upcoming/; /search/ finds todos by title across lists."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from todos.models import Todo, TodoList
from todos.templatetags.todos import due_label

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
FRIDAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("days", "english", "chinese"),
    [
        (0, "today", "今天"),
        (1, "tomorrow", "明天"),
        (3, "Monday", "星期一"),
        (-1, "1 day overdue", "逾期 1 天"),
        (-2, "2 days overdue", "逾期 2 天"),
        (10, "December 14", "12月14日"),
        (40, "Jan. 13, 2027", "2027年1月13日"),
    ],
)
def test_a_due_date_reads_as_a_person_says_it_in_both_languages(days, english, chinese):
    due = FRIDAY + timedelta(days=days)
    with translation.override("en"):
        assert due_label(due, FRIDAY) == english
    with translation.override("zh-hans"):
        assert due_label(due, FRIDAY) == chinese


def test_a_todo_is_added_with_a_due_date_and_shows_it_with_the_exact_date(user_client, user):
    tomorrow = user.today() + timedelta(days=1)
    response = user_client.post(reverse("todos:list"), {"title": "milk", "due": tomorrow.isoformat()}, **JSON)
    assert response.json()["todo"]["due"] == tomorrow.isoformat()
    html = user_client.get(reverse("todos:list")).content.decode()
    assert f'<time class="due" datetime="{tomorrow.isoformat()}">tomorrow<span class="visually-hidden">' in html


def test_an_overdue_todo_is_marked(user_client, user, make_todo):
    todo = make_todo("late")
    Todo.objects.filter(pk=todo.pk).update(due=user.today() - timedelta(days=2))
    assert '<time class="due overdue"' in user_client.get(reverse("todos:list")).content.decode()


def test_an_edit_sets_and_clears_the_due_date_alone(user_client, make_todo):
    todo = make_todo("milk")
    url = reverse("todos:edit", args=[todo.pk])
    assert user_client.post(url, {"due": "2030-01-31"}, **JSON).json()["todo"]["due"] == "2030-01-31"
    todo.refresh_from_db()
    assert (todo.title, todo.due) == ("milk", date(2030, 1, 31))
    user_client.post(url, {"title": "milk", "due": ""})
    todo.refresh_from_db()
    assert todo.due is None


@pytest.mark.parametrize("due", ["31/01/2030", "2030-02-30", "tomorrow", "2030-1-1x"])
def test_a_due_date_that_is_not_an_iso_date_is_refused(user_client, make_todo, due):
    todo = make_todo("milk")
    response = user_client.post(reverse("todos:edit", args=[todo.pk]), {"due": due}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["due"][0]["code"] == "invalid"
    response = user_client.post(reverse("todos:list"), {"title": "x", "due": due}, **JSON)
    assert response.status_code == 400
    todo.refresh_from_db()
    assert todo.due is None
    assert Todo.objects.count() == 1


def test_today_is_the_users_today_in_their_time_zone(user_client, user, make_todo):
    """Kiritimati (UTC+14) and Pago Pago (UTC−11) are a day apart or more for most of every day."""
    todo = make_todo("call")
    user.time_zone = "Pacific/Kiritimati"
    user.save()
    ahead = user.today()
    user.time_zone = "Pacific/Pago_Pago"
    user.save()
    behind = user.today()
    assert ahead > behind
    Todo.objects.filter(pk=todo.pk).update(due=ahead)
    assert user_client.get(reverse("today"), **JSON).json()["todos"] == []
    user.time_zone = "Pacific/Kiritimati"
    user.save()
    assert [found["title"] for found in user_client.get(reverse("today"), **JSON).json()["todos"]] == ["call"]


@pytest.fixture
def spread(user):
    """Open and completed todos due at several days, in two lists, and one of another user's."""
    today = user.today()
    default = TodoList.objects.default_for(user)
    work = TodoList.objects.create(owner=user, name="Work")
    made = {}
    for title, todo_list, days, completed in [
        ("overdue", work, -3, False),
        ("today", default, 0, False),
        ("done today", default, 0, True),
        ("tomorrow", work, 1, False),
        ("in six days", default, 6, False),
        ("in a week", default, 7, False),
        ("no date", work, None, False),
    ]:
        due = today + timedelta(days=days) if days is not None else None
        made[title] = Todo.objects.add(todo_list=todo_list, title=title, due=due)
        if completed:
            Todo.objects.filter(pk=made[title].pk).update(completed=True)
    return today, default, work, made


def test_today_gathers_what_is_due_and_overdue_from_every_list(user_client, other_user, spread):
    today, default, work, made = spread
    Todo.objects.create(owner=other_user, title="theirs", due=today)
    data = user_client.get(reverse("today"), **JSON).json()
    assert data["todos"] == [
        {
            "id": made["overdue"].pk,
            "title": "overdue",
            "completed": False,
            "due": (today - timedelta(days=3)).isoformat(),
            "list": {"id": work.pk, "name": "Work"},
        },
        {
            "id": made["today"].pk,
            "title": "today",
            "completed": False,
            "due": today.isoformat(),
            "list": {"id": default.pk, "name": "Todos"},
        },
    ]
    page = user_client.get(reverse("today")).content.decode()
    assert "in Work" in page
    assert "theirs" not in page


def test_upcoming_groups_the_next_seven_days_by_day(user_client, spread):
    today, *_ = spread
    response = user_client.get(reverse("upcoming"))
    days = [(day, [todo.title for todo in todos]) for day, todos in response.context["days"]]
    assert days[0] == (today, ["today"])
    assert days[1] == (today + timedelta(days=1), ["tomorrow"])
    assert days[6] == (today + timedelta(days=6), ["in six days"])
    assert len(days) == 7
    titles = [found["title"] for found in user_client.get(reverse("upcoming"), **JSON).json()["todos"]]
    assert titles == ["today", "tomorrow", "in six days"]


@pytest.mark.parametrize(
    ("query", "expected"), [("TODAY", ["today", "done today"]), ("six", ["in six days"]), ("nothing", [])]
)
def test_search_finds_titles_whatever_the_letter_case_across_lists(user_client, spread, query, expected):
    found = user_client.get(reverse("search"), {"q": query}, **JSON).json()["todos"]
    assert sorted(todo["title"] for todo in found) == sorted(expected)


def test_search_finds_chinese_titles(user_client, make_todo, other_user):
    make_todo("买牛奶")
    make_todo("买牛奶", owner=other_user)
    found = user_client.get(reverse("search"), {"q": "牛奶"}, **JSON).json()["todos"]
    assert [todo["title"] for todo in found] == ["买牛奶"]


def test_an_empty_search_finds_nothing_and_shows_the_form(user_client, spread):
    response = user_client.get(reverse("search"))
    assert response.status_code == 200
    assert response.context["todos"] == []
    assert 'name="q"' in response.content.decode()


@pytest.mark.parametrize("name", ["today", "upcoming", "search"])
def test_the_pages_across_lists_run_the_same_queries_for_few_and_many_todos(user_client, user, statements, name):
    default = TodoList.objects.default_for(user)
    today = user.today()
    Todo.objects.add(todo_list=default, title="day one", due=today)
    _, few = statements(lambda: user_client.get(reverse(name), {"q": "day"}))
    for number in range(5):
        todo_list = TodoList.objects.create(owner=user, name=f"list {number}")
        Todo.objects.bulk_create(
            Todo(owner=user, todo_list=todo_list, title=f"day {n}", due=today + timedelta(days=n % 3))
            for n in range(40)
        )
    response, many = statements(lambda: user_client.get(reverse(name), {"q": "day"}))
    assert len(response.context["todos"]) > 50
    assert len(many) == len(few) == 3  # session, user, the todos with their lists


def test_a_list_page_shows_the_first_page_of_todos_and_a_way_to_the_rest(user_client, user, settings):
    settings.TODO_PAGE_SIZE = 3
    default = TodoList.objects.default_for(user)
    Todo.objects.bulk_create(Todo(owner=user, todo_list=default, title=f"t{n}", position=n) for n in range(7))
    first = user_client.get(reverse("todos:list"))
    assert [todo.title for todo in first.context["todos"]] == ["t0", "t1", "t2"]
    assert 'href="?page=2"' in first.content.decode()
    last = user_client.get(reverse("todos:list"), {"page": 3})
    assert [todo.title for todo in last.context["todos"]] == ["t6"]
    assert "?page=4" not in last.content.decode()
    for page in ("x", "100000000000000000000", "²", "-1"):
        assert user_client.get(reverse("todos:list"), {"page": page}).status_code == 200
        assert user_client.get(reverse("search"), {"q": "t", "page": page}).status_code == 200


def test_past_the_todo_limit_a_new_todo_is_refused(user_client, user, settings, make_todo):
    settings.TODOS_PER_USER = 2
    make_todo("one")
    make_todo("two")
    response = user_client.post(reverse("todos:list"), {"title": "three"}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0]["code"] == "too_many_todos"
    assert Todo.objects.count() == 2


def test_the_settings_page_sets_the_time_zone(user_client, user):
    assert user_client.get(reverse("account_settings")).status_code == 200
    response = user_client.post(reverse("account_settings"), {"time_zone": "Asia/Shanghai"})
    assert response.url == reverse("account_settings")
    user.refresh_from_db()
    assert user.time_zone == "Asia/Shanghai"
    response = user_client.post(reverse("account_settings"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.time_zone == "Asia/Shanghai"


@pytest.mark.parametrize(("sent", "kept"), [("Europe/Paris", "Europe/Paris"), ("", "UTC"), ("Nowhere/Land", "UTC")])
def test_a_sign_up_keeps_the_browsers_time_zone_else_utc(client, django_user_model, sent, kept):
    password = "a-Long-enough-Pass-9"
    data = {"email": "new@example.com", "password1": password, "password2": password, "time_zone": sent}
    assert client.post(reverse("signup"), data).status_code == 302
    assert django_user_model.objects.get().time_zone == kept
