"""Routes for the step arrows: orthogonal paths through the free room between the views.

Pure geometry (no Qt): rectangles are ``(left, top, right, bottom)`` in the arrows' sheet's
pixels.  What is not free room comes from the views' own rectangles (their titles, colour
legends, cells with their row and column numbers); the step arrows' sheet collects them and
the ports an arrow may leave or enter its cells by (:mod:`visualizer.widgets.step_arrows`).

A route is found on the lines just clear of the obstacles (their edges moved out by the
clearance, the ports' lines) by a search that counts length and bends, then each middle
segment is moved towards the middle of the free band it runs in (a route hugging the title
above it by a pixel read as crossing it).  A box of cells inside its matrix has no port on
its matrix's side; :func:`grid_ports` gives it legs along the grid lines between the matrix's
numbers out to the free room instead.  No route: None (the sheet then links the two ends
by markers in the arrow's colour instead).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]
Direction = tuple[int, int]  # (dx, dy): one of the four axis directions

UP: Direction = (0, -1)
DOWN: Direction = (0, 1)
LEFT: Direction = (-1, 0)
RIGHT: Direction = (1, 0)

BEND_COST = 40.0  # pixels of length a bend is worth: few bends before short routes
# States a search looks at, at most: past this it gives up (the ends are then linked), so that
# a step never waits long for its arrow (a layout's few dozen lines need a few hundred).
LOOKS = 3000
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
        # The lines' crossings as a graph, made once per layout: crossing (i, j) is node
        # i * len(ys) + j; each node's free neighbours as (node, length, axis: 0 across, 1
        # up or down).
        self.xl, self.yl = sorted(self.xs), sorted(self.ys)
        self.adjacent: list[list[tuple[int, float, int]]] = self._graph()

    def _graph(self) -> list[list[tuple[int, float, int]]]:
        xl, yl = self.xl, self.yl
        nx, ny = len(xl), len(yl)
        free = [[self.free_point((x, y)) for y in yl] for x in xl]
        adjacent: list[list[tuple[int, float, int]]] = [[] for _ in range(nx * ny)]
        for i in range(nx):
            blocked = self.blocked_on_vertical(xl[i])
            for j in range(ny - 1):
                if free[i][j] and free[i][j + 1]:
                    lo, hi = yl[j], yl[j + 1]
                    if not any(a < hi and lo < b for a, b in blocked):
                        n = i * ny + j
                        adjacent[n].append((n + 1, hi - lo, 1))
                        adjacent[n + 1].append((n, hi - lo, 1))
        for j in range(ny):
            blocked = self.blocked_on_horizontal(yl[j])
            for i in range(nx - 1):
                if free[i][j] and free[i + 1][j]:
                    lo, hi = xl[i], xl[i + 1]
                    if not any(a < hi and lo < b for a, b in blocked):
                        n = i * ny + j
                        adjacent[n].append((n + ny, hi - lo, 0))
                        adjacent[n + ny].append((n, hi - lo, 0))
        return adjacent

    def point(self, node: int) -> Point:
        ny = len(self.yl)
        return self.xl[node // ny], self.yl[node % ny]

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
            return _band(min(px, qx), max(px, qx), py, bt, bb, self.grown)
        # vertical: moves left and right; each box read with its axes swapped
        swapped = [(y1, x1, y2, x2) for x1, y1, x2, y2 in self.grown]
        return _band(min(py, qy), max(py, qy), px, bl, br, swapped)


def _band(
    lo: float, hi: float, at: float, low: float, high: float, boxes: Iterable[Rect]
) -> tuple[float, float]:
    """Across a segment from ``lo`` to ``hi`` along one axis at ``at`` on the other: the
    lowest and highest ``at`` it may move to (from ``low`` and ``high``) and stay clear of
    ``boxes`` (``(a1, b1, a2, b2)``, ``a`` along the segment)."""
    for a1, b1, a2, b2 in boxes:
        if a1 < hi and lo < a2:
            if b2 <= at:
                low = max(low, b2)
            elif b1 >= at:
                high = min(high, b1)
    return low, high


def grid_ports(
    cells: tuple[int, int, int, int],
    box: Rect,
    area: Rect,
    outer: Rect,
    grid: tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]],
    ink: Callable[[int, int], Rect | None],
    target: bool,
    header_room: Callable[[Direction, float], float],
    need: float,
    clearance: float,
    tolerance: float,
) -> list[Port]:
    """Ports of a box of cells on its sides that lie inside its matrix (a side on the
    matrix's side has its own port): a leg along a grid line (one of the box's edges or a
    line between its rows or columns, not the matrix's own sides; into a ``target``, also
    the middle of one of its rows or columns where the cells on the way show no number) from
    the box straight out of the matrix, at least ``need`` from every number's ink on the way
    (the box's own where it enters the middle of a side) and from the row or column numbers
    it crosses; in each direction the one nearest the box's middle, then the roomiest.
    Numbers are centred in their cells, so the lines between cells are free of digits
    wherever the gap between two numbers is wider than an arrow.

    ``cells``: the box's first and last row and column; ``box`` its rectangle, ``area`` the
    matrix's shown cells, ``outer`` these with their row and column numbers; ``grid``: the
    rows' tops and heights and the columns' lefts and widths; ``ink(r, c)``: where cell (r, c)
    has its number's ink (None: no number, or not shown); ``header_room(direction, at)``: the
    room of a leg leaving in ``direction`` at ``at`` across the numbers on that side."""
    r0, r1, c0, c1 = cells
    ys, hs, xs, ws = grid
    rows, cols = len(ys), len(xs)
    left, top, right, bottom = box
    a_left, a_top, a_right, a_bottom = area

    def room(at: float, across: int, lines: range, near: range) -> float:
        # The leg at ``at`` (a y, ``across`` the columns ``lines``; else an x, along the rows
        # ``lines``) to the inks of the ``near`` rows (columns) there.
        most = math.inf
        for line in lines:
            for other in near:
                found = ink(other, line) if across else ink(line, other)
                if found is None:
                    continue
                low, high = (found[1], found[3]) if across else (found[0], found[2])
                most = min(most, low - at if at <= low else at - high if at >= high else 0.0)
                if most < need:
                    return most
        return most

    near_rows = range(max(0, r0 - 1), min(rows, r1 + 2))
    near_cols = range(max(0, c0 - 1), min(cols, c1 + 2))
    row_lines = [ys[r] for r in range(r0, r1 + 1)] + [ys[r1] + hs[r1]]
    col_lines = [xs[k] for k in range(c0, c1 + 1)] + [xs[c1] + ws[c1]]
    sides = (
        (RIGHT, right < a_right - tolerance, range(c1 + 1, cols), 1),
        (LEFT, left > a_left + tolerance, range(c0 - 1, -1, -1), 1),
        (DOWN, bottom < a_bottom - tolerance, range(r1 + 1, rows), 0),
        (UP, top > a_top + tolerance, range(r0 - 1, -1, -1), 0),
    )
    ports: list[Port] = []
    for direction, inside, lines, across in sides:
        if not inside or not lines:
            continue
        middle = (top + bottom) / 2 if across else (left + right) / 2
        candidates = [(at, -1) for at in (row_lines if across else col_lines)]
        if target:
            candidates += (
                [(ys[r] + hs[r] / 2, r) for r in range(r0, r1 + 1)]
                if across
                else [(xs[k] + ws[k] / 2, k) for k in range(c0, c1 + 1)]
            )
        best: tuple[float, float, float] | None = None  # (distance, -room, at)
        low, high = (a_top, a_bottom) if across else (a_left, a_right)
        for at, k in candidates:
            if not low + tolerance < at < high - tolerance:
                continue  # the matrix's own side, along its row or column numbers
            space = room(at, across, lines, near_rows if across else near_cols)
            if space >= need and k >= 0:
                # Into the middle of a cell's side: its own number clear of the head.
                if across:
                    own = ink(k, c1 if direction == RIGHT else c0)
                else:
                    own = ink(r1 if direction == DOWN else r0, k)
                if own is not None:
                    if direction == RIGHT:
                        space = min(space, right - own[2])
                    elif direction == LEFT:
                        space = min(space, own[0] - left)
                    elif direction == DOWN:
                        space = min(space, bottom - own[3])
                    else:
                        space = min(space, own[1] - top)
            if space >= need:
                space = min(space, header_room(direction, at))
            if space < need:
                continue
            key = (abs(at - middle), -space, at)
            if best is None or key < best:
                best = key
        if best is None:
            continue
        at, space = best[2], -best[1]
        if direction == RIGHT:
            ports.append(Port((right, at), (a_right + clearance, at), RIGHT, space))
        elif direction == LEFT:
            ports.append(Port((left, at), (outer[0] - clearance, at), LEFT, space))
        elif direction == DOWN:
            ports.append(Port((at, bottom), (at, a_bottom + clearance), DOWN, space))
        else:
            ports.append(Port((at, top), (at, outer[1] - clearance), UP, space))
    return ports


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


def _attach(
    obstacles: Obstacles,
    port: Port,
    first: int,
    extra: dict[int, list[tuple[int, float, int]]],
    where: dict[int, Point],
) -> int:
    """Join ``port``'s out point to the crossings' graph: a chain of new nodes (numbered from
    ``first``) from it straight on along its direction across each line it meets, each joined
    to the nearest crossings on that line on either side (and to the crossing it is on, when
    it is one).  The graph's new edges go into ``extra`` (both ways), the nodes' places into
    ``where``; the number of the next free node."""
    xl, yl = obstacles.xl, obstacles.yl
    ny = len(yl)
    dx, dy = port.direction
    axis = 0 if dy == 0 else 1  # the chain's
    px, py = port.out
    node, previous = first, None
    prev_point = port.out
    # The lines the chain crosses: the out point's own, then on in its direction.
    if axis == 1:
        lines = [y for y in (yl if dy > 0 else reversed(yl)) if (y - py) * dy >= 0]
    else:
        lines = [x for x in (xl if dx > 0 else reversed(xl)) if (x - px) * dx >= 0]
    for k, line in enumerate(lines[:8]):
        here = (px, line) if axis == 1 else (line, py)
        if k > 0 and not obstacles.free_segment(prev_point, here):
            break
        if not obstacles.free_point(here):
            break
        where[node] = here
        if previous is not None:
            step = abs(here[0] - prev_point[0]) + abs(here[1] - prev_point[1])
            extra.setdefault(node, []).append((previous, step, axis))
            extra.setdefault(previous, []).append((node, step, axis))
        # The crossings on this line beside the chain.
        if axis == 1:
            j = bisect.bisect_left(yl, line)
            i = bisect.bisect_left(xl, px)
            beside = [i - 1, i] if i == len(xl) or xl[i] != px else [i]
            neighbours = [(b * ny + j, abs(xl[b] - px)) for b in beside if 0 <= b < len(xl)]
            across = 0
        else:
            i = bisect.bisect_left(xl, line)
            j = bisect.bisect_left(yl, py)
            beside = [j - 1, j] if j == len(yl) or yl[j] != py else [j]
            neighbours = [(i * ny + b, abs(yl[b] - py)) for b in beside if 0 <= b < ny]
            across = 1
        for other, step in neighbours:
            if obstacles.free_segment(here, obstacles.point(other)) and obstacles.free_point(
                obstacles.point(other)
            ):
                extra.setdefault(node, []).append((other, step, across))
                extra.setdefault(other, []).append((node, step, across))
        previous, prev_point = node, here
        node += 1
    return node


def _search(
    obstacles: Obstacles, starts: tuple[Port, ...], ends: tuple[Port, ...]
) -> tuple[Port, Port, list[Point]] | None:
    """A* over the crossings' graph with each port joined to it (see _attach): cost =
    length + BEND_COST per bend (the legs' own lengths counted, a bend where the route leaves
    or joins a leg included).  A state is a node and the axis the route moves along there
    (0 across, 1 up or down)."""
    usable_starts = [p for p in starts if obstacles.free_point(p.out)]
    usable_ends = [p for p in ends if obstacles.free_point(p.out)]
    if not usable_starts or not usable_ends:
        return None
    adjacent = obstacles.adjacent
    extra: dict[int, list[tuple[int, float, int]]] = {}
    where: dict[int, Point] = {}
    node = len(adjacent)
    start_nodes: list[tuple[int, Port]] = []
    end_nodes: dict[int, list[Port]] = {}
    for port in usable_starts:
        start_nodes.append((node, port))
        node = _attach(obstacles, port, node, extra, where)
    for port in usable_ends:
        end_nodes.setdefault(node, []).append(port)
        node = _attach(obstacles, port, node, extra, where)
    point = obstacles.point
    base = len(adjacent)

    def place(n: int) -> Point:
        return where[n] if n >= base else point(n)

    goals = [p.out for p in usable_ends]
    bend = BEND_COST

    def estimate(x: float, y: float) -> float:
        best_h = math.inf
        for gx, gy in goals:
            h = abs(x - gx) + abs(y - gy)
            if gx != x and gy != y:
                h += bend  # not in line with it: a bend at least
            if h < best_h:
                best_h = h
        return best_h

    best: dict[tuple[int, int], float] = {}
    came: dict[tuple[int, int], tuple[int, int] | None] = {}
    origin: dict[tuple[int, int], Port] = {}
    heap: list[tuple[float, float, int, tuple[int, int]]] = []
    tie = 0
    for n, port in start_nodes:
        if n not in where:
            continue
        leg = abs(port.out[0] - port.edge[0]) + abs(port.out[1] - port.edge[1])
        state = (n, 0 if port.direction[1] == 0 else 1)
        best[state] = leg
        came[state] = None
        origin[state] = port
        heapq.heappush(heap, (leg + estimate(*port.out), leg, tie, state))
        tie += 1
    found: tuple[tuple[int, int], Port, float] | None = None
    limit = LOOKS
    while heap and limit:
        limit -= 1
        f, g, _, state = heapq.heappop(heap)
        if g > best[state]:
            continue
        if found is not None and f >= found[2]:
            break
        n, axis = state
        for port in end_nodes.get(n, ()):
            leg = abs(port.out[0] - port.edge[0]) + abs(port.out[1] - port.edge[1])
            into = 0 if port.direction[1] == 0 else 1
            total = g + leg + (0.0 if into == axis else bend)
            if found is None or total < found[2]:
                found = (state, port, total)
        neighbours = adjacent[n] if n < base else ()
        more = extra.get(n)
        for other, step, new_axis in (*neighbours, *more) if more else neighbours:
            cost = g + step + (0.0 if new_axis == axis else bend)
            nxt = (other, new_axis)
            if cost < best.get(nxt, math.inf):
                best[nxt] = cost
                came[nxt] = state
                heapq.heappush(heap, (cost + estimate(*place(other)), cost, tie, nxt))
                tie += 1
    if found is None:
        return None
    state, end, _ = found
    nodes: list[Point] = []
    walk: tuple[int, int] | None = state
    first = state
    while walk is not None:
        nodes.append(place(walk[0]))
        first = walk
        walk = came[walk]
    nodes.reverse()
    start = origin[first]
    return start, end, _bends([start.edge, *nodes, end.edge])


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
