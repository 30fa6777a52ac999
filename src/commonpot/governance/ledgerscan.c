/* The ledger verifier's hot path: leaf hashes, the Merkle root, and a proof that each entry
   is already canonical JSON in its place, for a whole chunk of entries in one call.

   `governance/ledgerscan.py` calls it through ctypes; `governance/verification.py` uses it
   when `make setup` built it and checks entry by entry in Python otherwise. The scanner
   only ever *proves* an entry fine: anything it is not sure of (floats, long integers,
   escapes in keys, text beyond the Basic Multilingual Plane, a signature to check) it
   leaves to the Python checks, which decide and name what is wrong. So a bug here can cost
   speed, and the tests compare it with the Python checks on many entries, good and bad.

   Hashing is RFC 9162's: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left ||
   right), an odd last node promoted to the level above. SHA-256 is FIPS 180-4, with the
   x86 SHA extensions when the processor has them (checked at run time). */

#define _GNU_SOURCE /* RTLD_NOLOAD */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define CP_X86 1
#endif

/* ---- SHA-256 ---------------------------------------------------------------------- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress_portable(uint32_t st[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; ++i) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
    for (int i = 0; i < 64; ++i) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
    st[4] += e;
    st[5] += f;
    st[6] += g;
    st[7] += h;
}

#ifdef CP_X86
/* One block with the SHA extensions: the state as ABEF / CDGH, four rounds per step, the
   message schedule four words at a time (group j+4 from groups j .. j+3). */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_sha_ni(uint32_t st[8],
                                                                         const uint8_t *p) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&st[0]);   /* D C B A */
    __m128i state1 = _mm_loadu_si128((const __m128i *)&st[4]); /* H G F E */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                          /* C D A B */
    state1 = _mm_shuffle_epi32(state1, 0x1B);                    /* E F G H */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);            /* A B E F */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                 /* C D G H */
    const __m128i abef = state0, cdgh = state1;
    __m128i w[4];
    for (int j = 0; j < 4; ++j)
        w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), swap);
    for (int j = 0; j < 16; ++j) {
        __m128i msg = _mm_add_epi32(w[j & 3], _mm_loadu_si128((const __m128i *)&K[4 * j]));
        state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
        msg = _mm_shuffle_epi32(msg, 0x0E);
        state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
        if (j < 12) {
            __m128i t = _mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(w[(j + 3) & 3], w[(j + 2) & 3], 4));
            w[j & 3] = _mm_sha256msg2_epu32(t, w[(j + 3) & 3]);
        }
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
    tmp = _mm_shuffle_epi32(state0, 0x1B);        /* F E B A */
    state1 = _mm_shuffle_epi32(state1, 0xB1);     /* D C H G */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);  /* D C B A */
    state1 = _mm_alignr_epi8(state1, tmp, 8);     /* H G F E */
    _mm_storeu_si128((__m128i *)&st[0], state0);
    _mm_storeu_si128((__m128i *)&st[4], state1);
}
#endif

typedef void (*compress_fn)(uint32_t *, const uint8_t *);
static compress_fn compress = 0;

static void choose_compress(void) {
    compress = compress_portable;
#ifdef CP_X86
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9)) &&
        __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
        compress = compress_sha_ni;
#endif
}

/* SHA-256(prefix || data) into out. */
static void sha256_prefixed(uint8_t prefix, const uint8_t *data, size_t len, uint8_t out[32]) {
    uint32_t st[8];
    uint8_t block[64];
    memcpy(st, H0, sizeof st);
    size_t total = len + 1, fill = 1;
    block[0] = prefix;
    while (len > 0) {
        size_t take = 64 - fill < len ? 64 - fill : len;
        memcpy(block + fill, data, take);
        fill += take;
        data += take;
        len -= take;
        if (fill == 64) {
            compress(st, block);
            fill = 0;
        }
    }
    block[fill++] = 0x80;
    if (fill > 56) {
        memset(block + fill, 0, 64 - fill);
        compress(st, block);
        fill = 0;
    }
    memset(block + fill, 0, 56 - fill);
    uint64_t bits = (uint64_t)total * 8;
    for (int i = 0; i < 8; ++i) block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(st, block);
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = (uint8_t)(st[i] >> 24);
        out[4 * i + 1] = (uint8_t)(st[i] >> 16);
        out[4 * i + 2] = (uint8_t)(st[i] >> 8);
        out[4 * i + 3] = (uint8_t)st[i];
    }
}

/* SHA-256(prefix || data): for the tests, which compare it with Python's hashlib. */
void cp_sha256(int prefix, const uint8_t *data, int64_t len, uint8_t *out) {
    if (!compress) choose_compress();
    sha256_prefixed((uint8_t)prefix, data, (size_t)len, out);
}

/* Use the portable SHA-256 from now on (1) or the best one the processor allows (0): for
   the tests, which check both against hashlib. */
void cp_sha256_portable(int yes) {
    choose_compress();
    if (yes) compress = compress_portable;
}

/* Which SHA-256 is in use: 1 with the processor's SHA extensions, 0 the portable one. */
int cp_sha256_accelerated(void) {
    if (!compress) choose_compress();
    return compress != compress_portable;
}

/* The Merkle tree hash of n leaf hashes (32 bytes each, concatenated). Returns 0, or -1
   when memory runs out. n must be at least 1. */
int cp_merkle_root(const uint8_t *leaves, int64_t n, uint8_t *out) {
    if (!compress) choose_compress();
    if (n == 1) {
        memcpy(out, leaves, 32);
        return 0;
    }
    uint8_t *level = malloc((size_t)(n + 1) / 2 * 32);
    if (!level) return -1;
    const uint8_t *below = leaves;
    int64_t width = n;
    while (width > 1) {
        int64_t pairs = width / 2;
        for (int64_t i = 0; i < pairs; ++i)
            sha256_prefixed(1, below + 64 * i, 64, level + 32 * i);
        if (width % 2) memmove(level + 32 * pairs, below + 64 * pairs, 32);
        width = pairs + width % 2;
        below = level;
    }
    memcpy(out, level, 32);
    free(level);
    return 0;
}

/* ---- canonical JSON, proved or left alone ------------------------------------------ */

/* An entry is proved canonical when it is exactly what Python's compact, key-sorted,
   non-ASCII-preserving JSON encoder writes for its value, inside the subset where that is
   RFC 8785 (`canonical.py`): integers of at most 15 digits, no floats, text within the
   Basic Multilingual Plane. Escapes in strings must be the encoder's own: \" \\ \b \f \n
   \r \t, and \u00xx (lowercase) for other control characters; nothing else is escaped.
   Object keys must rise strictly in code point order (compared as raw UTF-8, which orders
   the same); a key holding an escape is left to Python. */

enum { SURE = 0, UNSURE = 1 };
#define MAX_DEPTH 64

typedef struct {
    int count;
    const uint8_t *text[8];
    size_t len[8];
} Markers;

typedef struct {
    const uint8_t *p, *end;
    int depth;
    /* texts to look for, each a whole string token with its quotes, and whether one was seen */
    const Markers *markers;
    int marked;
    /* the top-level object's "seq" and "community" values, and whether it has a "signature" */
    const uint8_t *seq, *seq_end, *community, *community_end;
    int signed_;
} Cursor;

/* bytes written as themselves inside a string: printable ASCII but the quote and backslash */
static uint8_t plain[256];

static void make_tables(void) {
    for (int ch = 0x20; ch < 0x80; ++ch) plain[ch] = ch != '"' && ch != '\\';
}

static int value(Cursor *c);

/* A string at c->p (the opening quote); sets *escaped when it holds an escape. */
static int string(Cursor *c, int *escaped) {
    const uint8_t *p = c->p + 1, *end = c->end;
    *escaped = 0;
    while (p < end) {
        if (plain[*p]) {
            ++p;
            continue;
        }
        uint8_t ch = *p;
        if (ch == '"') {
            const uint8_t *token = c->p;
            c->p = p + 1;
            /* in canonical JSON a marker can only occur as a whole string token */
            const Markers *m = c->markers;
            for (int k = 0; m && k < m->count; ++k)
                if ((size_t)(c->p - token) == m->len[k] && memcmp(token, m->text[k], m->len[k]) == 0)
                    c->marked = 1;
            return SURE;
        }
        if (ch < 0x20) return UNSURE;
        if (ch == '\\') {
            *escaped = 1;
            if (p + 1 >= end) return UNSURE;
            uint8_t e = p[1];
            if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                p += 2;
                continue;
            }
            if (e != 'u' || p + 6 > end || p[2] != '0' || p[3] != '0') return UNSURE;
            /* \u00xx is written for the control characters without a two-letter escape */
            int hi = p[4] - '0', lo = p[5];
            int code;
            if (hi != 0 && hi != 1) return UNSURE;
            if (lo >= '0' && lo <= '9') code = hi * 16 + (lo - '0');
            else if (lo >= 'a' && lo <= 'f') code = hi * 16 + (lo - 'a' + 10);
            else return UNSURE;
            if (code == 0x08 || code == 0x09 || code == 0x0a || code == 0x0c || code == 0x0d)
                return UNSURE;
            p += 6;
            continue;
        }
        /* UTF-8 of two or three bytes, well formed (no overlongs, no surrogates) */
        if (ch >= 0xC2 && ch <= 0xDF) {
            if (p + 1 >= end || (p[1] & 0xC0) != 0x80) return UNSURE;
            p += 2;
        } else if (ch >= 0xE0 && ch <= 0xEF) {
            if (p + 2 >= end || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return UNSURE;
            if (ch == 0xE0 && p[1] < 0xA0) return UNSURE;
            if (ch == 0xED && p[1] >= 0xA0) return UNSURE;
            p += 3;
        } else {
            return UNSURE; /* beyond the BMP, or not UTF-8 */
        }
    }
    return UNSURE;
}

/* An integer in Python's own form: -?(0|[1-9][0-9]*), at most 15 digits, never -0. */
static int number(Cursor *c) {
    const uint8_t *p = c->p, *end = c->end;
    int negative = 0;
    if (*p == '-') {
        negative = 1;
        ++p;
    }
    const uint8_t *digits = p;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    int64_t count = p - digits;
    if (count == 0 || count > 15) return UNSURE;
    if (digits[0] == '0' && (count > 1 || negative)) return UNSURE;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return UNSURE;
    c->p = p;
    return SURE;
}

static int literal(Cursor *c, const char *word, size_t len) {
    if ((size_t)(c->end - c->p) < len || memcmp(c->p, word, len) != 0) return UNSURE;
    c->p += len;
    return SURE;
}

static int key_is(const uint8_t *key, size_t len, const char *word, size_t word_len) {
    return len == word_len && memcmp(key, word, len) == 0;
}

/* Past a container's opening bracket: 1 when it closes at once (consumed). */
static int opens_empty(Cursor *c, uint8_t close) {
    ++c->p;
    if (c->p < c->end && *c->p == close) {
        ++c->p;
        return 1;
    }
    return 0;
}

/* After a member or element: 1 at the container's end, 0 after a comma (more follows),
   -1 at anything else. */
static int after_item(Cursor *c, uint8_t close) {
    if (c->p >= c->end) return -1;
    if (*c->p == close) {
        ++c->p;
        return 1;
    }
    if (*c->p != ',') return -1;
    ++c->p;
    return 0;
}

static int object(Cursor *c) {
    int top = c->depth == 1;
    if (opens_empty(c, '}')) return SURE;
    const uint8_t *prev = NULL;
    size_t prev_len = 0;
    for (;;) {
        if (c->p >= c->end || *c->p != '"') return UNSURE;
        const uint8_t *key = c->p + 1;
        int escaped;
        if (string(c, &escaped) != SURE || escaped) return UNSURE;
        size_t len = (size_t)(c->p - 1 - key);
        if (prev) {
            size_t common = prev_len < len ? prev_len : len;
            int order = memcmp(prev, key, common);
            if (order > 0 || (order == 0 && prev_len >= len)) return UNSURE;
        }
        prev = key;
        prev_len = len;
        if (c->p >= c->end || *c->p != ':') return UNSURE;
        ++c->p;
        const uint8_t *v = c->p;
        if (value(c) != SURE) return UNSURE;
        if (top) {
            if (key_is(key, len, "seq", 3)) {
                c->seq = v;
                c->seq_end = c->p;
            } else if (key_is(key, len, "community", 9)) {
                c->community = v;
                c->community_end = c->p;
            } else if (key_is(key, len, "signature", 9)) {
                /* a signature to check, unless empty (null, false, 0, "", [] or {}) */
                size_t vlen = (size_t)(c->p - v);
                c->signed_ = !((vlen == 4 && memcmp(v, "null", 4) == 0) ||
                               (vlen == 5 && memcmp(v, "false", 5) == 0) ||
                               (vlen == 1 && *v == '0') ||
                               (vlen == 2 && (memcmp(v, "\"\"", 2) == 0 || memcmp(v, "[]", 2) == 0 ||
                                              memcmp(v, "{}", 2) == 0)));
            }
        }
        int next = after_item(c, '}');
        if (next) return next > 0 ? SURE : UNSURE;
    }
}

static int array(Cursor *c) {
    if (opens_empty(c, ']')) return SURE;
    for (;;) {
        if (value(c) != SURE) return UNSURE;
        int next = after_item(c, ']');
        if (next) return next > 0 ? SURE : UNSURE;
    }
}

static int value(Cursor *c) {
    if (c->p >= c->end) return UNSURE;
    int escaped, found;
    switch (*c->p) {
    case '{':
    case '[':
        if (++c->depth > MAX_DEPTH) return UNSURE;
        found = *c->p == '{' ? object(c) : array(c);
        --c->depth;
        return found;
    case '"':
        return string(c, &escaped);
    case 't':
        return literal(c, "true", 4);
    case 'f':
        return literal(c, "false", 5);
    case 'n':
        return literal(c, "null", 4);
    default:
        if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) return number(c);
        return UNSURE;
    }
}

/* Whether a proved-canonical object names position seq and the community, unsigned. */
static int in_place(const Cursor *c, int64_t seq, const uint8_t *community,
                    int64_t community_len) {
    const uint8_t *v = c->seq;
    if (!v || c->signed_ || *v < '0' || *v > '9') return 0;
    int64_t found = 0;
    for (; v < c->seq_end; ++v) found = found * 10 + (*v - '0');
    if (found != seq || !(v = c->community) || *v != '"') return 0;
    return c->community_end - v == community_len + 2 &&
           memcmp(v + 1, community, (size_t)community_len) == 0;
}

static int contains(const uint8_t *p, const uint8_t *end, const uint8_t *word, size_t len) {
    return len > 0 && memmem(p, (size_t)(end - p), word, len) != NULL;
}

/* One entry: its leaf hash into leaf, and its verdict (see cp_ledger_scan), with 2 added
   when the entry's text holds one of the markers. */
static uint8_t scan_one(const uint8_t *p, const uint8_t *stop, int64_t seq,
                        const uint8_t *community, int64_t community_len, const Markers *markers,
                        uint8_t *leaf) {
    sha256_prefixed(0, p, (size_t)(stop - p), leaf);
    Cursor c = {p, stop, 0, markers, 0, NULL, NULL, NULL, NULL, 0};
    int sure = stop > p && *p == '{' && value(&c) == SURE && c.p == stop &&
               in_place(&c, seq, community, community_len);
    if (sure) return c.marked ? 2 : 0;
    for (int k = 0; markers && k < markers->count; ++k)
        if (contains(p, stop, markers->text[k], markers->len[k])) return 3;
    return 1;
}

static void prepare(void) {
    if (!compress) choose_compress();
    if (!plain['a']) make_tables();
}

/* Scan n entries joined by '\n' (canonical JSON holds no raw newline): each entry's leaf
   hash into leaves (32 bytes each), and its verdict: 0 when it is proved canonical JSON,
   an object whose "seq" is first_seq + its index and whose "community" is the given
   (escape-free) slug, with no top-level "signature" to check (none, or an empty one);
   1 when Python must look at it.
   Returns n, or -1 when the text does not hold exactly n entries (then Python checks them). */
int64_t cp_ledger_scan(const uint8_t *text, int64_t len, int64_t n, int64_t first_seq,
                       const uint8_t *community, int64_t community_len, uint8_t *leaves,
                       uint8_t *verdict) {
    prepare();
    const uint8_t *p = text, *end = text + len;
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t *stop = memchr(p, '\n', (size_t)(end - p));
        if ((stop == NULL) != (i + 1 == n)) return -1; /* n - 1 newlines, no more */
        if (!stop) stop = end;
        verdict[i] =
            scan_one(p, stop, first_seq + i, community, community_len, NULL, leaves + 32 * i);
        p = stop + (i + 1 < n);
    }
    return p == end ? n : -1;
}

/* ---- reading an SQLite ledger without Python objects per row ------------------------- */

/* SQLite's C interface, taken from the copy Python's sqlite3 module already loaded (never a
   second copy: two copies in one process break each other's file locks). Declared here so
   that no SQLite headers are needed to build. */
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
static struct {
    int ready;
    int (*open_v2)(const char *, sqlite3 **, int, const char *);
    int (*close_v2)(sqlite3 *);
    int (*busy_timeout)(sqlite3 *, int);
    int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
    int (*bind_int64)(sqlite3_stmt *, int, int64_t);
    int (*step)(sqlite3_stmt *);
    int (*column_type)(sqlite3_stmt *, int);
    int64_t (*column_int64)(sqlite3_stmt *, int);
    const unsigned char *(*column_text)(sqlite3_stmt *, int);
    int (*column_bytes)(sqlite3_stmt *, int);
    int (*finalize)(sqlite3_stmt *);
} sq;

enum { SQ_OK = 0, SQ_ROW = 100, SQ_OPEN_READONLY = 1, SQ_INTEGER = 1, SQ_TEXT = 3 };

static int load_sqlite(void) {
    if (sq.ready) return sq.ready > 0;
    void *h = dlopen("libsqlite3.so.0", RTLD_LAZY | RTLD_NOLOAD);
    sq.ready = -1;
    if (!h) return 0;
#define LOAD(field, name) if (!(*(void **)&sq.field = dlsym(h, name))) return 0
    LOAD(open_v2, "sqlite3_open_v2");
    LOAD(close_v2, "sqlite3_close_v2");
    LOAD(busy_timeout, "sqlite3_busy_timeout");
    LOAD(prepare_v2, "sqlite3_prepare_v2");
    LOAD(bind_int64, "sqlite3_bind_int64");
    LOAD(step, "sqlite3_step");
    LOAD(column_type, "sqlite3_column_type");
    LOAD(column_int64, "sqlite3_column_int64");
    LOAD(column_text, "sqlite3_column_text");
    LOAD(column_bytes, "sqlite3_column_bytes");
    LOAD(finalize, "sqlite3_finalize");
#undef LOAD
    sq.ready = 1;
    return 1;
}

/* 1 when SQLite's C interface can be had from the copy already loaded in this process. */
int cp_sqlite_ready(void) { return load_sqlite(); }

static int hex_equal(const uint8_t *hex, const uint8_t *digest) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i)
        if (hex[2 * i] != digits[digest[i] >> 4] || hex[2 * i + 1] != digits[digest[i] & 15])
            return 0;
    return 1;
}

/* Read a ledger's rows (seq, data, stored leaf hash), in order, with `sql` (one parameter:
   the community's id) from the SQLite file at `path`, read-only, and scan each entry as
   cp_ledger_scan does. The verdict byte also gets 2 when the entry's text holds one of the
   '\n'-separated `markers` (the entries a recount reads). Returns the number of entries, or
   -1 when SQLite is not at hand or the query fails, -2 when there are more than `room`,
   -3 when a row is out of sequence, lacks its text or stored hash, or its stored hash is
   not the computed one: then Python reads and checks the ledger, naming what is wrong. */
int64_t cp_ledger_scan_sqlite(const char *path, const char *sql, int64_t community_id,
                              const uint8_t *community, int64_t community_len,
                              const char *markers, int64_t room, uint8_t *leaves,
                              uint8_t *verdict) {
    prepare();
    if (!load_sqlite()) return -1;
    Markers marks = {0, {NULL}, {0}};
    for (const char *m = markers; *m;) {
        const char *stop = strchr(m, '\n');
        size_t len = stop ? (size_t)(stop - m) : strlen(m);
        if (len > 0 && marks.count == 8) return -1;
        if (len > 0) {
            marks.text[marks.count] = (const uint8_t *)m;
            marks.len[marks.count++] = len;
        }
        m += len + (stop != NULL);
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t found = -1;
    if (sq.open_v2(path, &db, SQ_OPEN_READONLY, NULL) != SQ_OK) goto done;
    sq.busy_timeout(db, 15000);
    if (sq.prepare_v2(db, sql, -1, &st, NULL) != SQ_OK) goto done;
    sq.bind_int64(st, 1, community_id);
    int64_t i = 0;
    int step;
    while ((step = sq.step(st)) == SQ_ROW) {
        if (i >= room) {
            found = -2;
            goto done;
        }
        if (sq.column_type(st, 0) != SQ_INTEGER || sq.column_int64(st, 0) != i ||
            sq.column_type(st, 1) != SQ_TEXT || sq.column_type(st, 2) != SQ_TEXT ||
            sq.column_bytes(st, 2) != 64) {
            found = -3;
            goto done;
        }
        const uint8_t *data = sq.column_text(st, 1);
        const uint8_t *end = data + sq.column_bytes(st, 1);
        uint8_t *leaf = leaves + 32 * i;
        uint8_t v = scan_one(data, end, i, community, community_len, &marks, leaf);
        if (!hex_equal(sq.column_text(st, 2), leaf)) {
            found = -3;
            goto done;
        }
        verdict[i++] = v;
    }
    found = step == 101 /* SQLITE_DONE */ ? i : -1;
done:
    if (st) sq.finalize(st);
    if (db) sq.close_v2(db);
    return found;
}
