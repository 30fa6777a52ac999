/* Primal network simplex for integer min-cost flow, started from a given spanning tree.

   commonpot's allocation network (offers -> needs -> the sink, each offer also straight to
   the sink) is solved here; `network/simplex.py` calls `cp_simplex` through ctypes and
   `network/certify.py` proves every plan optimal independently, so nothing here is
   trusted on its own word.

   The method is the textbook one (Ahuja, Magnanti and Orlin, "Network Flows", ch. 11):
   the spanning tree is kept as parent / predecessor-arc / preorder-thread arrays, with
   subtree sizes and the last node of each subtree in thread order, so that a pivot
   touches only the cycle and the subtree that moves; entering arcs are chosen from a
   candidate list (multiple partial pricing: a scan from where the last one stopped
   collects sqrt(arcs)/8 arcs of negative reduced cost, and the next pivots each take the
   most negative of those still eligible, for a tenth of the list's length, before the
   next scan; a scan over every arc that finds none proves the tree optimal; a quarter
   faster than block search at 100k offers), and the leaving arc by the rule that keeps
   the tree strongly feasible (so degenerate pivots cannot cycle). The caller gives the
   first tree: each node but the root joined to the root by one arc that carries the
   node's own supply, with room to carry more toward the root (strongly feasible).

   Pricing can go in tiers: the caller may order the arcs so that the likeliest come first
   (commonpot puts each need's nearest offers first) and give the ends of growing prefixes;
   the simplex first solves over the first prefix, then the next, and always ends with
   every arc, so the answer is the same optimum. Early tiers are short and fit in the
   cache: at 100k offers and needs the solve takes about three quarters of the time of
   pricing every arc from the start, with as many pivots (half the arcs priced per pivot).

   Costs and capacities are 64-bit integers; the caller keeps every |cost| * nodes below
   2^60 so that potentials and reduced costs cannot overflow. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

enum { OPTIMAL = 0, UNBOUNDED = 1, BAD_TREE = 2, NO_MEMORY = 3, ITERATION_LIMIT = 4, TOO_LARGE = 5 };
enum { UPPER = -1, TREE = 0, LOWER = 1 };
enum { DIR_DOWN = -1, DIR_UP = 1 };

/* node and arc numbers in the tree's arrays: 32 bits, half the cache of 64 (at 300k offers
   and needs the solve takes ~0.9 of the time); networks of 2^31 - 1 nodes or arcs or more
   are refused (TOO_LARGE) */
typedef int32_t idx_t;

typedef struct {
    int64_t n, m, root;
    const int64_t *src, *dst, *cap, *cost;
    int64_t *flow, *pi;
    int8_t *state;
    idx_t *parent, *pred, *thread, *rev_thread, *succ_num, *last_succ, *dirty;
    int8_t *pred_dir;
    int64_t in_arc, join, u_in, v_in, u_out, delta;
    int64_t next_arc, *cand, n_cand, list_size, minor, minor_limit;
    int64_t priced_end; /* arcs [0, priced_end) are priced in the current tier */
    int64_t priced, walked, moved; /* work done: arcs priced, cycle steps, potentials moved */
} NS;

static int find_entering(NS *s) {
    const int64_t m = s->priced_end;
    const int64_t *src = s->src, *dst = s->dst, *cost = s->cost, *pi = s->pi;
    const int8_t *state = s->state;
    int64_t best = 0;
    /* a minor iteration: the best arc of the candidate list that is still eligible */
    if (s->n_cand > 0 && s->minor < s->minor_limit) {
        int64_t kept = 0;
        s->priced += s->n_cand;
        for (int64_t i = 0; i < s->n_cand; ++i) {
            int64_t e = s->cand[i];
            int64_t c = state[e] * (cost[e] + pi[src[e]] - pi[dst[e]]);
            if (c < 0) {
                s->cand[kept++] = e;
                if (c < best) {
                    best = c;
                    s->in_arc = e;
                }
            }
        }
        s->n_cand = kept;
        if (best < 0) {
            ++s->minor;
            return 1;
        }
    }
    /* a major one: a new list, from where the last search stopped, until it is full or
       every arc was priced (none eligible: the tree is optimal) */
    s->n_cand = 0;
    s->minor = 1;
    int64_t e = s->next_arc, i;
    for (i = 0; i < m; ++i) {
        int64_t c = state[e] * (cost[e] + pi[src[e]] - pi[dst[e]]);
        if (++e == m) e = 0;
        if (c < 0) {
            int64_t arc = e == 0 ? m - 1 : e - 1;
            s->cand[s->n_cand++] = arc;
            if (c < best) {
                best = c;
                s->in_arc = arc;
            }
            if (s->n_cand == s->list_size) break;
        }
    }
    s->priced += i < m ? i + 1 : m;
    s->next_arc = e;
    return best < 0;
}

static void find_join(NS *s) {
    int64_t u = s->src[s->in_arc], v = s->dst[s->in_arc];
    while (u != v) {
        ++s->walked;
        if (s->succ_num[u] < s->succ_num[v]) u = s->parent[u];
        else v = s->parent[v];
    }
    s->join = u;
}

/* The leaving arc: the first blocking arc met going around the cycle in the direction of
   flow from the join (ties to the last one on the second side), which keeps the tree
   strongly feasible. Returns 1 when an arc other than the entering one leaves. */
static int find_leaving(NS *s, int64_t inf) {
    int64_t first, second;
    int64_t e = s->in_arc;
    if (s->state[e] == LOWER) {
        first = s->src[e];
        second = s->dst[e];
    } else {
        first = s->dst[e];
        second = s->src[e];
    }
    int64_t delta = s->cap[e];
    int result = 0;
    for (int64_t u = first; u != s->join; u = s->parent[u]) {
        int64_t a = s->pred[u];
        int64_t d = s->flow[a];
        if (s->pred_dir[u] == DIR_DOWN) d = s->cap[a] >= inf ? inf : s->cap[a] - d;
        if (d < delta) {
            delta = d;
            s->u_out = u;
            result = 1;
        }
    }
    for (int64_t u = second; u != s->join; u = s->parent[u]) {
        int64_t a = s->pred[u];
        int64_t d = s->flow[a];
        if (s->pred_dir[u] == DIR_UP) d = s->cap[a] >= inf ? inf : s->cap[a] - d;
        if (d <= delta) {
            delta = d;
            s->u_out = u;
            result = 2;
        }
    }
    if (result == 1) {
        s->u_in = first;
        s->v_in = second;
    } else {
        s->u_in = second;
        s->v_in = first;
    }
    s->delta = delta;
    return result != 0;
}

static void change_flow(NS *s, int change) {
    int64_t e = s->in_arc;
    if (s->delta > 0) {
        int64_t val = s->state[e] * s->delta;
        s->flow[e] += val;
        for (int64_t u = s->src[e]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] -= s->pred_dir[u] * val;
        for (int64_t u = s->dst[e]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] += s->pred_dir[u] * val;
    }
    if (change) {
        s->state[e] = TREE;
        int64_t out = s->pred[s->u_out];
        s->state[out] = s->flow[out] == 0 ? LOWER : UPPER;
    } else {
        s->state[e] = (int8_t)(-s->state[e]);
    }
}

static void update_tree(NS *s) {
    idx_t *parent = s->parent, *thread = s->thread, *rev = s->rev_thread;
    idx_t *succ = s->succ_num, *last_succ = s->last_succ, *pred = s->pred;
    int8_t *dir = s->pred_dir;
    const int64_t u_in = s->u_in, v_in = s->v_in, u_out = s->u_out, join = s->join;
    const int64_t old_rev_thread = rev[u_out];
    const int64_t old_succ_num = succ[u_out];
    const int64_t old_last_succ = last_succ[u_out];
    const int64_t v_out = parent[u_out];

    if (u_in == u_out) {
        parent[u_in] = v_in;
        pred[u_in] = s->in_arc;
        dir[u_in] = u_in == s->src[s->in_arc] ? DIR_UP : DIR_DOWN;
        if (thread[v_in] != u_out) {
            int64_t after = thread[old_last_succ];
            thread[old_rev_thread] = after;
            rev[after] = old_rev_thread;
            after = thread[v_in];
            thread[v_in] = u_out;
            rev[u_out] = v_in;
            thread[old_last_succ] = after;
            rev[after] = old_last_succ;
        }
    } else {
        int64_t thread_continue = old_rev_thread == v_in ? thread[old_last_succ] : thread[v_in];
        int64_t stem = u_in, par_stem = v_in, next_stem;
        int64_t last = last_succ[u_in];
        int64_t before, after = thread[last];
        int64_t n_dirty = 0;
        thread[v_in] = u_in;
        s->dirty[n_dirty++] = v_in;
        while (stem != u_out) {
            next_stem = parent[stem];
            thread[last] = next_stem;
            s->dirty[n_dirty++] = last;
            before = rev[stem];
            thread[before] = after;
            rev[after] = before;
            parent[stem] = par_stem;
            par_stem = stem;
            stem = next_stem;
            last = last_succ[stem] == last_succ[par_stem] ? rev[par_stem] : last_succ[stem];
            after = thread[last];
        }
        parent[u_out] = par_stem;
        thread[last] = thread_continue;
        rev[thread_continue] = last;
        last_succ[u_out] = last;
        if (old_rev_thread != v_in) {
            thread[old_rev_thread] = after;
            rev[after] = old_rev_thread;
        }
        for (int64_t i = 0; i < n_dirty; ++i) {
            int64_t u = s->dirty[i];
            rev[thread[u]] = u;
        }
        int64_t tmp_sc = 0, tmp_ls = last_succ[u_out];
        for (int64_t u = u_out, p = parent[u]; u != u_in; u = p, p = parent[u]) {
            pred[u] = pred[p];
            dir[u] = (int8_t)(-dir[p]);
            tmp_sc += succ[u] - succ[p];
            succ[u] = tmp_sc;
            last_succ[p] = tmp_ls;
        }
        pred[u_in] = s->in_arc;
        dir[u_in] = u_in == s->src[s->in_arc] ? DIR_UP : DIR_DOWN;
        succ[u_in] = old_succ_num;
    }

    int64_t up_limit_out = last_succ[join] == v_in ? join : -1;
    int64_t last_succ_out = last_succ[u_out];
    for (int64_t u = v_in; u != -1 && last_succ[u] == v_in; u = parent[u])
        last_succ[u] = last_succ_out;
    if (join != old_rev_thread && v_in != old_rev_thread) {
        for (int64_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ; u = parent[u])
            last_succ[u] = old_rev_thread;
    } else if (last_succ_out != old_last_succ) {
        for (int64_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ; u = parent[u])
            last_succ[u] = last_succ_out;
    }
    for (int64_t u = v_in; u != join; u = parent[u]) succ[u] += old_succ_num;
    for (int64_t u = v_out; u != join; u = parent[u]) succ[u] -= old_succ_num;
}

static void update_potential(NS *s) {
    int64_t sigma = s->pi[s->v_in] - s->pi[s->u_in] - s->pred_dir[s->u_in] * s->cost[s->in_arc];
    int64_t end = s->thread[s->last_succ[s->u_in]];
    s->moved += s->succ_num[s->u_in];
    for (int64_t u = s->u_in; u != end; u = s->thread[u]) s->pi[u] += sigma;
}

/* Solve. `tree_arc[u]` joins node u to `root` (ignored for the root); `flow` and `pi`
   receive the optimal flow on every arc and node potentials (reduced cost of arc e is
   cost[e] + pi[src[e]] - pi[dst[e]]: >= 0 on arcs at 0, <= 0 on arcs at capacity).
   `inf` is a capacity treated as unbounded. `max_pivots` (0: none) bounds the work.
   With `real_cost` (the costs before rounding to integers; may be NULL), `real_pi` receives
   the potentials of the final tree under those costs: exact duals of the optimal basis, for
   a certificate that prices every arc in the problem's own units. `work_out` (may be NULL)
   receives the work done, for benchmarks: arcs priced, steps walked up the tree to find
   cycles' joins, and node potentials moved. `tier_end` (n_tiers ends of growing prefixes
   of the arcs, each at most m; may be NULL) makes pricing go tier by tier; a last tier of
   every arc always follows. */
int cp_simplex(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
               const int64_t *cap, const int64_t *cost, const int64_t *supply,
               int64_t root, const int64_t *tree_arc, int64_t inf, int64_t max_pivots,
               int64_t *flow, int64_t *pi, int64_t *pivots_out,
               const double *real_cost, double *real_pi, int64_t *work_out,
               int64_t n_tiers, const int64_t *tier_end) {
    if (n <= 0 || root < 0 || root >= n) return BAD_TREE;
    if (n >= INT32_MAX || m >= INT32_MAX) return TOO_LARGE;
    NS s;
    memset(&s, 0, sizeof s);
    s.n = n;
    s.m = m;
    s.root = root;
    s.src = src;
    s.dst = dst;
    s.cap = cap;
    s.cost = cost;
    s.flow = flow;
    s.pi = pi;
    s.state = malloc((size_t)(m > 0 ? m : 1));
    s.parent = malloc(sizeof(idx_t) * (size_t)n);
    s.pred = malloc(sizeof(idx_t) * (size_t)n);
    s.thread = malloc(sizeof(idx_t) * (size_t)n);
    s.rev_thread = malloc(sizeof(idx_t) * (size_t)n);
    s.succ_num = malloc(sizeof(idx_t) * (size_t)n);
    s.last_succ = malloc(sizeof(idx_t) * (size_t)n);
    s.dirty = malloc(sizeof(idx_t) * (size_t)(n + 1));
    s.pred_dir = malloc((size_t)n);
    /* room for the longest candidate list (that of the last tier, every arc) */
    s.cand = malloc(sizeof(int64_t) * (size_t)(ceil(sqrt((double)(m > 0 ? m : 1)) / 8) + 10));
    int status = OPTIMAL;
    if (!s.state || !s.parent || !s.pred || !s.thread || !s.rev_thread || !s.succ_num ||
        !s.last_succ || !s.dirty || !s.pred_dir || !s.cand) {
        status = NO_MEMORY;
        goto done;
    }
    for (int64_t e = 0; e < m; ++e) {
        flow[e] = 0;
        s.state[e] = LOWER;
    }
    /* the first tree: the root, then every other node in index order, each a leaf */
    int64_t balance = supply[root];
    int64_t prev = root, last = root;
    s.parent[root] = -1;
    s.pred[root] = -1;
    s.pred_dir[root] = DIR_UP;
    s.pi[root] = 0;
    s.succ_num[root] = n;
    for (int64_t u = 0; u < n; ++u) {
        if (u == root) continue;
        int64_t a = tree_arc[u];
        balance += supply[u];
        if (a < 0 || a >= m || s.state[a] == TREE) {
            status = BAD_TREE;
            goto done;
        }
        s.parent[u] = root;
        s.pred[u] = a;
        s.succ_num[u] = 1;
        s.last_succ[u] = u;
        s.thread[prev] = u;
        s.rev_thread[u] = prev;
        prev = last = u;
        s.state[a] = TREE;
        if (src[a] == u && dst[a] == root) {
            s.pred_dir[u] = DIR_UP;
            flow[a] = supply[u];
            pi[u] = -cost[a];
        } else if (src[a] == root && dst[a] == u) {
            s.pred_dir[u] = DIR_DOWN;
            flow[a] = -supply[u];
            pi[u] = cost[a];
        } else {
            status = BAD_TREE;
            goto done;
        }
        if (flow[a] < 0 || flow[a] > cap[a]) {
            status = BAD_TREE;
            goto done;
        }
    }
    if (balance != 0) {
        status = BAD_TREE;
        goto done;
    }
    s.thread[last] = root;
    s.rev_thread[root] = last;
    s.last_succ[root] = last;

    int64_t pivots = 0;
    for (int64_t tier = 0; tier <= n_tiers && status == OPTIMAL; ++tier) {
        int64_t end = tier < n_tiers && tier_end ? tier_end[tier] : m;
        if (end <= 0 || end > m || (tier < n_tiers && end == m)) continue;
        /* candidate lists of sqrt(arcs)/8 arcs, each used for a tenth of its length */
        s.priced_end = end;
        s.next_arc = 0;
        s.n_cand = 0;
        s.list_size = (int64_t)ceil(sqrt((double)end) / 8);
        if (s.list_size < 10) s.list_size = 10;
        s.minor_limit = s.list_size / 10 < 3 ? 3 : s.list_size / 10;
        while (find_entering(&s)) {
            if (max_pivots > 0 && pivots >= max_pivots) {
                status = ITERATION_LIMIT;
                break;
            }
            ++pivots;
            find_join(&s);
            int change = find_leaving(&s, inf);
            if (s.delta >= inf) {
                status = UNBOUNDED;
                break;
            }
            change_flow(&s, change);
            if (change) {
                update_tree(&s);
                update_potential(&s);
            }
        }
    }
    if (pivots_out) *pivots_out = pivots;
    if (work_out) {
        work_out[0] = s.priced;
        work_out[1] = s.walked;
        work_out[2] = s.moved;
    }
    if (status == OPTIMAL && real_cost && real_pi) {
        /* thread order is a preorder: each node's parent is done before it */
        real_pi[root] = 0.0;
        for (int64_t u = s.thread[root]; u != root; u = s.thread[u])
            real_pi[u] = real_pi[s.parent[u]] - s.pred_dir[u] * real_cost[s.pred[u]];
    }
done:
    free(s.state);
    free(s.parent);
    free(s.pred);
    free(s.thread);
    free(s.rev_thread);
    free(s.succ_num);
    free(s.last_succ);
    free(s.dirty);
    free(s.pred_dir);
    free(s.cand);
    return status;
}
