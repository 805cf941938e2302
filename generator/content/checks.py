"""Cross-file checks: what no single model can know (directory, calendar, the step graph)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from generator.content.models import Directory, Site, Topic
from generator.content.models.guide import Procedure, Step
from generator.content.yamlguard import said_visibly
from generator.content.yamlsource import Loc, Source
from generator.errors import Problem

Located = tuple[Topic, Source]


def check_topics(topics: list[Located], site: Site, directory: Directory) -> list[Problem]:
    """Every cross-file problem of every topic."""
    problems = _duplicate_slugs(topics)
    for topic, source in topics:
        problems += _placement(topic, source)
        problems += _places(topic, source, directory)
        problems += _waves(topic, source, site)
        problems += _dates(topic, source)
        problems += _procedure(topic.procedure, source)
        problems += _hidden_in_keywords(topic, source)
        problems += _duplicates(source, ("plan", "targets"), [t.id for t in topic.plan.targets])
    return problems


def _duplicate_slugs(topics: list[Located]) -> list[Problem]:
    """A slug names one topic across all years (questionnaires, results and the survey key on
    it): each clash names the other files, and how a topic run again in a later year differs."""
    clashes: dict[str, list[Located]] = {}
    for located in topics:
        clashes.setdefault(located[0].slug, []).append(located)
    out = []
    for slug, group in clashes.items():
        if len(group) < 2:
            continue
        latest = max(group, key=lambda located: located[0].year)
        for _, source in group:
            others = "、".join(_file(other) for _, other in group if other is not source)
            out.append(
                source.problem(
                    ("slug",),
                    f"slug “{slug}” 与 {others} 重复，每个议题的 slug 必须唯一："
                    f"同一问题在另一年再办时，请把 {_file(latest[1])} 的 slug 和文件名改为 "
                    f"{slug}-{latest[0].year}",
                )
            )
    return out


def _file(source: Source) -> str:
    """A topic file as `topics/<year>/<slug>.yml`, however the content folder was named."""
    return f"topics/{source.path.parent.name}/{source.path.name}"


def _placement(topic: Topic, source: Source) -> list[Problem]:
    """The file lives at topics/<year>/<slug>.yml, so URLs and files agree."""
    out = []
    if source.path.stem != topic.slug:
        out.append(source.problem(("slug",), f"文件名应为 {topic.slug}.yml（与 slug 一致）"))
    if source.path.parent.name != str(topic.year):
        out.append(
            source.problem(("year",), f"{topic.year} 年的议题应放在 topics/{topic.year}/ 下")
        )
    return out


def _places(topic: Topic, source: Source, directory: Directory) -> list[Problem]:
    known = directory.district_names()
    gov = topic.governance
    out = [
        source.problem(
            ("governance", "districts", i), f"“{said_visibly(name)}”不在区名录中（如：朝阳区）"
        )
        for i, name in enumerate(gov.districts)
        if name not in known
    ]
    for district, streets in gov.streets.items():
        if district not in known:
            said = f"“{said_visibly(district)}”不在区名录中"
            out.append(source.problem(("governance", "streets", district), said))
            continue
        out += [
            source.problem(
                ("governance", "streets", district, i),
                f"{district}没有“{said_visibly(street)}”，请查名录",
            )
            for i, street in enumerate(streets)
            if not directory.has_street(district, street)
        ]
    return out


def _waves(topic: Topic, source: Source, site: Site) -> list[Problem]:
    calendar = {w.id for w in site.waves}
    out = []
    for i, wave in enumerate(topic.waves):
        if wave not in calendar:
            out.append(source.problem(("waves", i), f"调查批次 {wave} 不在 site.yml 的 waves 中"))
        elif int(wave[:4]) < topic.year:
            out.append(source.problem(("waves", i), f"{wave} 早于议题年度 {topic.year}"))
    return out


def _hidden_in_keywords(topic: Topic, source: Source) -> list[Problem]:
    """A keyword or category with a zero-width or full-width space in it matches no complaint
    record, and no page shows it: without a word, the topic's counts would just be low."""
    rule = topic.monitoring
    fields = {
        "categories": rule.categories,
        "keywords": rule.keywords,
        "exclude_keywords": rule.exclude_keywords,
    }
    return [
        source.problem(
            ("monitoring", key, i),
            f"“{said_visibly(word)}”里有看不见的字符，诉求记录里找不到这样的词：请删除它",
        )
        for key, words in fields.items()
        for i, word in enumerate(words)
        if said_visibly(word) != word
    ]


def _dates(topic: Topic, source: Source) -> list[Problem]:
    """Readings and milestones fall in the topic's year (or the next) and are in date order."""
    first, last = date(topic.year, 1, 1), date(topic.year + 1, 12, 31)
    out: list[Problem] = []
    for i, target in enumerate(topic.plan.targets):
        dates = [r.date for r in target.progress]
        out += _dated(source, ("plan", "targets", i, "progress"), dates, first, last, future=True)
    milestones = [m.date for m in topic.plan.schedule]
    out += _dated(source, ("plan", "schedule"), milestones, first, last, future=False)
    for i, task in enumerate(topic.lists.tasks):
        if not first <= task.deadline <= last:
            out.append(source.problem(("lists", "tasks", i, "deadline"), _range(first, last)))
    return out


def _dated(
    source: Source, loc: Loc, dates: list[date], first: date, last: date, *, future: bool
) -> list[Problem]:
    out = []
    for i, day in enumerate(dates):
        where = (*loc, i, "date")
        if not first <= day <= last:
            out.append(source.problem(where, _range(first, last)))
        elif future and day > date.today():
            out.append(source.problem(where, f"{day} 还没到：进度读数不能写未来的日期"))
        elif i and day <= dates[i - 1]:
            out.append(source.problem(where, f"应晚于上一项的 {dates[i - 1]}，请按日期先后排列"))
    return out


def _range(first: date, last: date) -> str:
    return f"日期应在 {first} 到 {last} 之间"


def _duplicates(source: Source, loc: Loc, ids: list[str]) -> list[Problem]:
    counts = Counter(ids)
    return [
        source.problem((*loc, i, "id"), f"id “{ident}” 重复，同一列表中 id 必须唯一")
        for i, ident in enumerate(ids)
        if counts[ident] > 1
    ]


def _procedure(procedure: Procedure, source: Source) -> list[Problem]:
    """Steps form one flowchart: unique ids, known targets, one start, all reachable, an end."""
    loc: Loc = ("procedure", "steps")
    steps = procedure.steps
    out = _duplicates(source, loc, [s.id for s in steps])
    ids = {s.id for s in steps}
    for i, step in enumerate(steps):
        for j, branch in enumerate(step.branches):
            if branch.to not in ids:
                out.append(source.problem((*loc, i, "branches", j, "to"), _unknown(branch.to)))
        if step.next is not None and step.next not in ids:
            out.append(source.problem((*loc, i, "next"), _unknown(step.next)))
    if out:
        return out
    return _graph(procedure, source)


def _unknown(step_id: str) -> str:
    return f"没有 id 为 “{step_id}” 的步骤"


def _graph(procedure: Procedure, source: Source) -> list[Problem]:
    loc: Loc = ("procedure", "steps")
    steps = procedure.steps
    incoming = {t for s in steps for t in s.targets()}
    # The first step is the start (it may be returned to); no other step may lack a way in.
    extra = [s.id for s in steps[1:] if s.id not in incoming]
    if extra:
        msg = f"流程只能有一个起点（第一步）；这些步骤没有任何上一步：{'、'.join(extra)}"
        return [source.problem(loc, msg)]
    seen, pending = set(), [steps[0].id]
    by_id = {s.id: s for s in steps}
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending += by_id[current].targets()
    out = [
        source.problem((*loc, i), f"步骤 “{s.id}” 从起点走不到")
        for i, s in enumerate(steps)
        if s.id not in seen
    ]
    if not any(s.kind == "end" for s in steps):
        out.append(source.problem(loc, "流程至少要有一个结束步骤（kind: end）"))
        return out
    return out + _dead_loops(procedure, source, seen)


def _dead_loops(procedure: Procedure, source: Source, reachable: set[str]) -> list[Problem]:
    """Steps from which no end step can be reached: loops with no way out, each reported once,
    at its first step in the file, naming its steps in the order they are walked."""
    by_id = {s.id: s for s in procedure.steps}
    finishes = {s.id for s in procedure.steps if s.kind == "end"}
    grew = True
    while grew:  # steps with a way to a step that finishes, until no more are found
        more = {s.id for s in procedure.steps if set(s.targets()) & finishes} - finishes
        finishes |= more
        grew = bool(more)
    dead = [s.id for s in procedure.steps if s.id in reachable and s.id not in finishes]
    out, reported = [], set[str]()
    for step_id in dead:
        loop = _loop_from(step_id, by_id)
        if loop[0] != step_id or step_id in reported:
            continue  # reported at the loop's own first step
        reported |= set(loop)
        index = next(i for i, s in enumerate(procedure.steps) if s.id == step_id)
        walk = " → ".join([*loop, loop[0]])
        message = f"流程在 {walk} 之间循环，走不到任何结束步骤（kind: end）：请给其中一步加上通向后续步骤的分支"
        out.append(source.problem(("procedure", "steps", index), message))
    return out


def _loop_from(step_id: str, by_id: dict[str, Step]) -> list[str]:
    """The loop a walk from `step_id` ends in (always the first way out), starting at whichever
    of its steps comes first in the file."""
    order = {key: i for i, key in enumerate(by_id)}
    path: list[str] = []
    current = step_id
    while current not in path:
        path.append(current)
        current = by_id[current].targets()[0]
    loop = path[path.index(current) :]
    first = min(range(len(loop)), key=lambda i: order[loop[i]])
    return loop[first:] + loop[:first]
