"""Routes for the step arrows: orthogonal paths through the free room between the views.

Pure geometry (no Qt): rectangles are ``(left, top, right, bottom)`` in the arrows' sheet's
pixels.  What is not free room comes from the views' own rectangles (their titles, colour
legends, cells with their row and column numbers); the step arrows' sheet collects them and
the ports an arrow may leave or enter its cells by (:mod:`visualizer.widgets.step_arrows`).

A route is found on the lines just clear of the obstacles (their edges moved out by the
clearance, the ports' lines) by a search that counts length and bends, then each middle
segment is moved towards the middle of the free band it runs in (a route hugging the title
above it by a pixel read as crossing it).  No route: None (the sheet then links the two ends
by markers in the arrow's colour instead).
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]
Direction = tuple[int, int]  # (dx, dy): one of the four axis directions

UP: Direction = (0, -1)
DOWN: Direction = (0, 1)
LEFT: Direction = (-1, 0)
RIGHT: Direction = (1, 0)

BEND_COST = 60.0  # pixels of length a bend is worth: few bends before short routes
PREFERRED_GAP = 9.0  # a middle segment stays this far (its centre) from its band's sides


@dataclass(frozen=True)
class Port:
    """Where an arrow leaves (or enters) its cells: from ``edge`` (on the cells' box) straight
    along ``direction`` (outwards from the box) to ``out``, just clear of its own matrix and
    numbers; ``room``: how far the leg may reach on either side without touching a number."""

    edge: Point
    out: Point
    direction: Direction
    room: float = math.inf


class Obstacles:
    """The obstacles of one layout, each grown by ``clearance``, with the lines a route may
    run along (kept while the layout stays the same, see :func:`obstacles_for`)."""

    def __init__(self, rects: tuple[Rect, ...], bounds: Rect, clearance: float) -> None:
        c = clearance
        self.rects = rects
        self.grown = tuple((x1 - c, y1 - c, x2 + c, y2 + c) for x1, y1, x2, y2 in rects)
        left, top, right, bottom = bounds
        self.bounds = (left + c, top + c, right - c, bottom - c)
        xs = {self.bounds[0], self.bounds[2]}
        ys = {self.bounds[1], self.bounds[3]}
        for x1, y1, x2, y2 in self.grown:
            xs.update((x1, x2))
            ys.update((y1, y2))
        bl, bt, br, bb = self.bounds
        self.xs = {x for x in xs if bl <= x <= br}
        self.ys = {y for y in ys if bt <= y <= bb}
        # Blocked stretches of each line (the open intervals of the grown obstacles it passes
        # through), found when a route first asks for the line.
        self._vertical: dict[float, list[tuple[float, float]]] = {}
        self._horizontal: dict[float, list[tuple[float, float]]] = {}

    def blocked_on_vertical(self, x: float) -> list[tuple[float, float]]:
        spans = self._vertical.get(x)
        if spans is None:
            spans = self._vertical[x] = [(y1, y2) for x1, y1, x2, y2 in self.grown if x1 < x < x2]
        return spans

    def blocked_on_horizontal(self, y: float) -> list[tuple[float, float]]:
        spans = self._horizontal.get(y)
        if spans is None:
            spans = self._horizontal[y] = [(x1, x2) for x1, y1, x2, y2 in self.grown if y1 < y < y2]
        return spans

    def free_point(self, p: Point) -> bool:
        x, y = p
        bl, bt, br, bb = self.bounds
        if not (bl <= x <= br and bt <= y <= bb):
            return False
        return not any(a < y < b for a, b in self.blocked_on_vertical(x))

    def free_segment(self, p: Point, q: Point) -> bool:
        """Whether the axis-parallel segment ``p``–``q`` runs through no grown obstacle's
        inside (along an edge is free)."""
        (px, py), (qx, qy) = p, q
        if px == qx:
            lo, hi = (py, qy) if py <= qy else (qy, py)
            return not any(a < hi and lo < b for a, b in self.blocked_on_vertical(px))
        lo, hi = (px, qx) if px <= qx else (qx, px)
        return not any(a < hi and lo < b for a, b in self.blocked_on_horizontal(py))

    def free_box(self, box: Rect) -> bool:
        """Whether ``box`` overlaps no grown obstacle's inside."""
        left, top, right, bottom = box
        return not any(
            x1 < right and left < x2 and y1 < bottom and top < y2 for x1, y1, x2, y2 in self.grown
        )

    def band(self, segment: tuple[Point, Point]) -> tuple[float, float]:
        """How far the axis-parallel ``segment`` may move sideways (the lowest and highest
        coordinate across it) and stay clear of every grown obstacle."""
        (px, py), (qx, qy) = segment
        bl, bt, br, bb = self.bounds
        if py == qy:  # horizontal: moves up and down
            lo_x, hi_x = min(px, qx), max(px, qx)
            low, high = bt, bb
            for x1, y1, x2, y2 in self.grown:
                if x1 < hi_x and lo_x < x2:
                    if y2 <= py:
                        low = max(low, y2)
                    elif y1 >= py:
                        high = min(high, y1)
            return low, high
        lo_y, hi_y = min(py, qy), max(py, qy)
        low, high = bl, br
        for x1, y1, x2, y2 in self.grown:
            if y1 < hi_y and lo_y < y2:
                if x2 <= px:
                    low = max(low, x2)
                elif x1 >= px:
                    high = min(high, x1)
        return low, high


_OBSTACLES: OrderedDict[tuple[object, ...], Obstacles] = OrderedDict()
_ROUTES: OrderedDict[tuple[object, ...], tuple[Port, Port, list[Point]] | None] = OrderedDict()
KEPT = 8  # layouts kept
ROUTES_KEPT = 64


def obstacles_for(rects: tuple[Rect, ...], bounds: Rect, clearance: float) -> Obstacles:
    """The :class:`Obstacles` of these rectangles, made once per layout."""
    key = (rects, bounds, clearance)
    known = _OBSTACLES.get(key)
    if known is None:
        known = _OBSTACLES[key] = Obstacles(rects, bounds, clearance)
        if len(_OBSTACLES) > KEPT:
            _OBSTACLES.popitem(last=False)
    else:
        _OBSTACLES.move_to_end(key)
    return known


def route(
    obstacles: Obstacles, starts: tuple[Port, ...], ends: tuple[Port, ...]
) -> tuple[Port, Port, list[Point]] | None:
    """The best route from one of ``starts`` to one of ``ends``: the ports it uses and its
    points from the start's ``edge`` to the end's ``edge`` (bends only); None: none found.
    Kept per layout and ports (stepping back finds it again)."""
    key = (id(obstacles), obstacles.rects, starts, ends)
    if key in _ROUTES:
        _ROUTES.move_to_end(key)
        return _ROUTES[key]
    found = _search(obstacles, starts, ends)
    if found is not None:
        start, end, points = found
        found = (start, end, _tidy(obstacles, points))
    _ROUTES[key] = found
    if len(_ROUTES) > ROUTES_KEPT:
        _ROUTES.popitem(last=False)
    return found


def _search(
    obstacles: Obstacles, starts: tuple[Port, ...], ends: tuple[Port, ...]
) -> tuple[Port, Port, list[Point]] | None:
    """A* over the lines' crossings: cost = length + BEND_COST per bend (the legs' own
    lengths counted, a bend where the route leaves or joins a leg included)."""
    usable_starts = [p for p in starts if obstacles.free_point(p.out)]
    usable_ends = [p for p in ends if obstacles.free_point(p.out)]
    if not usable_starts or not usable_ends:
        return None
    xs = set(obstacles.xs)
    ys = set(obstacles.ys)
    for port in (*usable_starts, *usable_ends):
        xs.add(port.out[0])
        ys.add(port.out[1])
    xl, yl = sorted(xs), sorted(ys)
    xi = {x: i for i, x in enumerate(xl)}
    yi = {y: j for j, y in enumerate(yl)}
    goal: dict[tuple[int, int], list[Port]] = {}
    for port in usable_ends:
        goal.setdefault((xi[port.out[0]], yi[port.out[1]]), []).append(port)
    goal_points = [p.out for p in usable_ends]

    def estimate(x: float, y: float) -> float:
        return min(abs(x - gx) + abs(y - gy) for gx, gy in goal_points)

    # State: (i, j, direction of travel); heap of (f, g, tie, state).
    best: dict[tuple[int, int, Direction], float] = {}
    came: dict[tuple[int, int, Direction], tuple[int, int, Direction] | None] = {}
    origin: dict[tuple[int, int, Direction], Port] = {}
    heap: list[tuple[float, float, int, tuple[int, int, Direction]]] = []
    tie = 0
    for port in usable_starts:
        sx, sy = port.out
        leg = abs(sx - port.edge[0]) + abs(sy - port.edge[1])
        state = (xi[sx], yi[sy], port.direction)
        if leg < best.get(state, math.inf):
            best[state] = leg
            came[state] = None
            origin[state] = port
            heapq.heappush(heap, (leg + estimate(sx, sy), leg, tie, state))
            tie += 1
    free_segment = obstacles.free_segment
    free_point = obstacles.free_point
    nx, ny = len(xl), len(yl)
    found: tuple[tuple[int, int, Direction], Port, float] | None = None
    limit = 20000  # crossings looked at, at most (a layout's few dozen lines)
    while heap and limit:
        limit -= 1
        f, g, _, state = heapq.heappop(heap)
        if g > best.get(state, math.inf):
            continue
        if found is not None and f >= found[2]:
            break
        i, j, d = state
        for port in goal.get((i, j), ()):
            # Into the end's leg: straight on, or a bend where the leg starts.
            into = (-port.direction[0], -port.direction[1])
            if into == (-d[0], -d[1]):
                continue  # it would turn back on itself
            leg = abs(port.out[0] - port.edge[0]) + abs(port.out[1] - port.edge[1])
            total = g + leg + (0.0 if into == d else BEND_COST)
            if found is None or total < found[2]:
                found = (state, port, total)
        x, y = xl[i], yl[j]
        for step in (UP, DOWN, LEFT, RIGHT):
            if step == (-d[0], -d[1]):
                continue
            ni, nj = i + step[0], j + step[1]
            if not (0 <= ni < nx and 0 <= nj < ny):
                continue
            q = (xl[ni], yl[nj])
            if not free_segment((x, y), q) or not free_point(q):
                continue
            cost = g + abs(q[0] - x) + abs(q[1] - y) + (0.0 if step == d else BEND_COST)
            nxt = (ni, nj, step)
            if cost < best.get(nxt, math.inf):
                best[nxt] = cost
                came[nxt] = state
                heapq.heappush(heap, (cost + estimate(*q), cost, tie, nxt))
                tie += 1
    if found is None:
        return None
    state, end, _ = found
    crossings: list[Point] = []
    walk: tuple[int, int, Direction] | None = state
    first = state
    while walk is not None:
        crossings.append((xl[walk[0]], yl[walk[1]]))
        first = walk
        walk = came[walk]
    crossings.reverse()
    start = origin[first]
    points = [start.edge, *crossings, end.edge]
    return start, end, _bends(points)


def _bends(points: list[Point]) -> list[Point]:
    """``points`` without repeats and without the points inside straight runs."""
    out: list[Point] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == p[0]) or (ay == by == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def _tidy(obstacles: Obstacles, points: list[Point]) -> list[Point]:
    """Each middle segment (neither the first nor the last: the legs in and out of the
    cells) moved across towards the middle of its free band, at most PREFERRED_GAP from the
    side it was nearer to; then the straight runs joined."""
    pts = list(points)
    for k in range(1, len(pts) - 2):
        p, q = pts[k], pts[k + 1]
        low, high = obstacles.band((p, q))
        horizontal = p[1] == q[1]
        at = p[1] if horizontal else p[0]
        if not low <= at <= high:
            continue
        if high - low <= 2 * PREFERRED_GAP:
            new = (low + high) / 2
        elif at - low <= high - at:
            new = max(at, min(low + PREFERRED_GAP, high))
        else:
            new = min(at, max(high - PREFERRED_GAP, low))
        if new == at:
            continue
        if horizontal:
            moved = [(p[0], new), (q[0], new)]
        else:
            moved = [(new, p[1]), (new, q[1])]
        # The neighbouring segments stretch or shrink with it: each must stay free.
        before, after = pts[k - 1], pts[k + 2]
        if obstacles.free_segment(before, moved[0]) and obstacles.free_segment(moved[1], after):
            pts[k], pts[k + 1] = moved
    return _bends(pts)


def corner_radius(obstacles: Obstacles, a: Point, corner: Point, b: Point, most: float) -> float:
    """The largest radius up to ``most`` of the rounded corner at ``corner`` (from ``a``,
    towards ``b``) whose curve stays clear of every grown obstacle: the curve lies in the box
    between its two ends and the corner."""
    radius = most
    cx, cy = corner
    while radius >= 2.0:
        ux, uy = _unit(a, corner)
        vx, vy = _unit(corner, b)
        t1 = (cx - ux * radius, cy - uy * radius)
        t2 = (cx + vx * radius, cy + vy * radius)
        box = (min(t1[0], t2[0]), min(t1[1], t2[1]), max(t1[0], t2[0]), max(t1[1], t2[1]))
        if obstacles.free_box(box):
            return radius
        radius /= 2
    return 0.0


def _unit(p: Point, q: Point) -> tuple[float, float]:
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length
