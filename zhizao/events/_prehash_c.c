/* The fast path of the CBV 2.0 pre-hash (`hashing._fast_pre_hash`), in C.
 *
 * It is the same algorithm step for step: the same fields in the same order, the same sorting
 * (code-point order, as `sorted` on str), the same CBV word expansion (`prehash.Context`).
 * Identifiers are still canonicalised by Python's cached `canonical_value`, except those it
 * would return unchanged (handles, private URIs: `unchanged`); timestamps of the
 * usual form (`2024-03-01T08:00:00.000+08:00`) are converted here, any other form by Python's
 * `utc_millis`.
 *
 * `pre_hash(event, namespaces)` answers a str (the pre-hash), None (the event needs the general
 * tree walk: it has extensions or nested data) or NotImplemented (a shape the Python fast path
 * handles by iterating something that is not a list: the caller runs the Python fast path).
 * Optional: built when a C compiler is present; the tests compare it with the Python fast path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { OK = 0, GENERAL = 1, DEFER = 2, FAIL = -1 };

#define NAMES(X)                                                                                 \
    X(type) X(eventTime) X(eventTimeZoneOffset) X(certificationInfo) X(parentID) X(epcList)      \
    X(inputEPCList) X(childEPCs) X(quantityList) X(childQuantityList) X(inputQuantityList)       \
    X(outputEPCList) X(outputQuantityList) X(action) X(transformationID) X(bizStep)              \
    X(disposition) X(persistentDisposition) X(readPoint) X(bizLocation) X(bizTransactionList)    \
    X(bizTransaction) X(sourceList) X(source) X(destinationList) X(destination)                  \
    X(sensorElementList) X(sensorElement) X(sensorMetadata) X(sensorReport) X(quantityElement)   \
    X(epcClass) X(quantity) X(uom) X(set) X(unset) X(id) X(epc) X(readPointid) X(bizLocationid)  \
    X(eventType)
#define AS_ENUM(n) N_##n,
#define AS_TEXT(n) #n,
enum { NAMES(AS_ENUM) N_COUNT };
static const char *name_texts[] = {NAMES(AS_TEXT)};
static PyObject *key[N_COUNT];   /* "epcList" */
static PyObject *label[N_COUNT]; /* "epcList=" */
static PyObject *empty, *equals, *brace_open, *brace_close;

/* Set by configure(): the vocabulary tables and the Python helpers (owned references). */
static PyObject *vocabulary_prefixes; /* tuple: CBV and GS1 Web URI prefixes */
static PyObject *field_vocabularies;  /* dict: field -> tuple of {bare word: URI} dicts */
static PyObject *suffix_index;        /* callable: frozenset of words -> {suffix: word|None} */
static PyObject *canonical_value;     /* callable: str -> str (cached in Python) */
static PyObject *utc_millis;          /* callable: str -> str */
static PyObject *fast_keys;           /* frozenset of the fields the fast path knows */
static PyObject *metadata_rank;       /* dict: sensorMetadata field -> place in the order */
static PyObject *report_rank;         /* dict: sensorReport field -> place in the order */
static PyObject *sensor_labels;       /* dict: sensor field -> "field=" */
/* The words of one document's events are mostly the same few: the last index is kept. */
static PyObject *last_words, *last_index;

/* What `prehash.Context` holds for one event. */
typedef struct {
    PyObject *namespaces; /* borrowed: prefix -> "{namespace URI}" */
    PyObject *expanded;   /* set of expanded CBV words, or NULL */
    PyObject *by_suffix;  /* the suffix index of `expanded`, found on first use */
} Ctx;

#define GET(dict, n) PyDict_GetItemWithError((dict), key[N_##n])

static int add_word(Ctx *c, PyObject *word) {
    if (c->expanded == NULL && (c->expanded = PySet_New(NULL)) == NULL) return FAIL;
    return PySet_Add(c->expanded, word);
}

/* Context._word */
static int word(Ctx *c, PyObject *text, PyObject *field) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(vocabulary_prefixes); i++) {
        Py_ssize_t hit = PyUnicode_Tailmatch(text, PyTuple_GET_ITEM(vocabulary_prefixes, i), 0,
                                             PY_SSIZE_T_MAX, -1);
        if (hit < 0) return FAIL;
        if (hit) return add_word(c, text);
    }
    if (field == NULL) return OK;
    PyObject *vocabs = PyDict_GetItemWithError(field_vocabularies, field);
    if (vocabs == NULL) return PyErr_Occurred() ? FAIL : OK;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(vocabs); i++) {
        PyObject *uri = PyDict_GetItemWithError(PyTuple_GET_ITEM(vocabs, i), text);
        if (uri == NULL && PyErr_Occurred()) return FAIL;
        if (uri != NULL && uri != Py_None && add_word(c, uri) < 0) return FAIL;
    }
    return OK;
}

/* Context.collect: every CBV word of the event. */
static int collect(Ctx *c, PyObject *obj, PyObject *field) {
    int rc = OK;
    if (Py_EnterRecursiveCall(" collecting CBV words")) return FAIL;
    if (PyDict_Check(obj)) {
        Py_ssize_t pos = 0;
        PyObject *k, *value;
        while (rc == OK && PyDict_Next(obj, &pos, &k, &value))
            rc = PyUnicode_Check(value) ? word(c, value, k) : collect(c, value, k);
    } else if (PyList_Check(obj)) {
        for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(obj); i++) {
            PyObject *item = PyList_GET_ITEM(obj, i);
            rc = PyUnicode_Check(item) ? word(c, item, field) : collect(c, item, field);
        }
    } else if (PyUnicode_Check(obj)) {
        rc = word(c, obj, field);
    }
    Py_LeaveRecursiveCall();
    return rc;
}

static int find_suffix_index(Ctx *c) {
    if (last_words != NULL) {
        int same = PyObject_RichCompareBool(c->expanded, last_words, Py_EQ);
        if (same < 0) return FAIL;
        if (same) {
            c->by_suffix = Py_NewRef(last_index);
            return OK;
        }
    }
    PyObject *words = PyFrozenSet_New(c->expanded);
    if (words == NULL) return FAIL;
    PyObject *index = PyObject_CallOneArg(suffix_index, words);
    if (index == NULL || !PyDict_Check(index)) {
        if (index != NULL) PyErr_SetString(PyExc_TypeError, "suffix index must be a dict");
        Py_XDECREF(index);
        Py_DECREF(words);
        return FAIL;
    }
    c->by_suffix = Py_NewRef(index);
    Py_XSETREF(last_index, index);
    Py_XSETREF(last_words, words);
    return OK;
}

/* Context.replace_bare: the one expanded word ending in `-text` or `/text`, else text. */
static PyObject *replace_bare(Ctx *c, PyObject *text) {
    if (c->expanded == NULL || PySet_GET_SIZE(c->expanded) == 0) return Py_NewRef(text);
    if (c->by_suffix == NULL && find_suffix_index(c) < 0) return NULL;
    PyObject *found = PyDict_GetItemWithError(c->by_suffix, text);
    if (found == NULL && PyErr_Occurred()) return NULL;
    if (found != NULL && found != Py_None) {
        int truth = PyObject_IsTrue(found);
        if (truth < 0) return NULL;
        if (truth) return Py_NewRef(found);
    }
    return Py_NewRef(text);
}

/* Context.value(obj).strip() */
static PyObject *text_of(Ctx *c, PyObject *obj) {
    PyObject *s;
    if (PyUnicode_Check(obj)) {
        if ((s = replace_bare(c, obj)) == NULL) return NULL;
        if (PyDict_GET_SIZE(c->namespaces)) {
            Py_ssize_t colon = PyUnicode_FindChar(s, ':', 0, PyUnicode_GET_LENGTH(s), 1);
            PyObject *head = colon >= 0 ? PyUnicode_Substring(s, 0, colon) : NULL;
            PyObject *uri = head ? PyDict_GetItemWithError(c->namespaces, head) : NULL;
            Py_XDECREF(head);
            if (PyErr_Occurred()) goto fail;
            if (uri != NULL) { /* the namespace as written: without its braces */
                PyObject *rest = PyUnicode_Substring(s, colon + 1, PyUnicode_GET_LENGTH(s));
                PyObject *open = rest ? PyUnicode_Replace(uri, brace_open, empty, -1) : NULL;
                PyObject *bare = open ? PyUnicode_Replace(open, brace_close, empty, -1) : NULL;
                Py_XDECREF(open);
                Py_SETREF(s, bare ? PyUnicode_Concat(bare, rest) : NULL);
                Py_XDECREF(bare);
                Py_XDECREF(rest);
                if (s == NULL) return NULL;
            }
        }
    } else if ((s = PyObject_Str(obj)) == NULL) {
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n == 0) return s;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, 0)) &&
        !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, n - 1)))
        return s;
    Py_SETREF(s, PyObject_CallMethod(s, "strip", NULL));
    return s;
fail:
    Py_DECREF(s);
    return NULL;
}

/* --- timestamps: `utc_millis` for the usual form, computed here ---------------------------- */

static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static long long days_from_civil(long long y, long long m, long long d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d) {
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)`: its UTC seconds since the epoch and microseconds;
 * 0, no error, for any other form (Python's fromisoformat takes more: those stay Python's). */
static int parse_usual_time(PyObject *text, long long *seconds, int *micro) {
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    if (s == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return 0;
    int year = digits(s, 4), month = digits(s + 5, 2), day = digits(s + 8, 2);
    int hour = digits(s + 11, 2), minute = digits(s + 14, 2), second = digits(s + 17, 2);
    int at = 19;
    *micro = 0;
    if (s[at] == '.') {
        int start = ++at;
        while (at < n && s[at] >= '0' && s[at] <= '9') at++;
        int count = at - start;
        if (count < 1 || count > 6) return 0;
        *micro = digits(s + start, count);
        for (int i = count; i < 6; i++) *micro *= 10;
    }
    int offset = 0;
    if (at == n - 1 && s[at] == 'Z') {
        offset = 0;
    } else if (at == n - 6 && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
        int oh = digits(s + at + 1, 2), om = digits(s + at + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return 0;
        offset = (s[at] == '-' ? -1 : 1) * (oh * 60 + om) * 60;
    } else {
        return 0;
    }
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 2 || year > 9998 || month < 1 || month > 12 || day < 1 ||
        day > month_days[month - 1] || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 59)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && day == 29 && !leap) return 0;
    *seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
               offset;
    return 1;
}

/* `value` as `width` decimal digits, zero-padded, at `out` (snprintf: 3,600 instructions a
 * call, two calls an event) */
static char *put_digits(char *out, int value, int width) {
    for (int i = width - 1; i >= 0; i--, value /= 10) out[i] = (char)('0' + value % 10);
    return out + width;
}

/* `YYYY-MM-DDTHH:MM:SS.<fraction>Z` of UTC seconds since the epoch; `width` 3 or 6 digits
 * (years are 1..9999: parse_usual_time takes 2..9998, and an offset moves a day at most) */
static PyObject *utc_text(long long t, int fraction, int width) {
    long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int secs = (int)(t - days * 86400);
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char out[32], *at = out;
    at = put_digits(at, y, 4), *at++ = '-', at = put_digits(at, m, 2), *at++ = '-';
    at = put_digits(at, d, 2), *at++ = 'T', at = put_digits(at, secs / 3600, 2), *at++ = ':';
    at = put_digits(at, secs / 60 % 60, 2), *at++ = ':', at = put_digits(at, secs % 60, 2);
    *at++ = '.', at = put_digits(at, fraction, width), *at++ = 'Z';
    return PyUnicode_FromStringAndSize(out, at - out);
}

/* The usual form in UTC to the millisecond, as `utc_millis` writes it (microseconds rounded
 * half to even, as Python's round); NULL, no error, for any other form. */
static PyObject *fast_utc_millis(PyObject *text) {
    long long t;
    int micro;
    if (!parse_usual_time(text, &t, &micro)) return NULL;
    int millis = micro / 1000, rest = micro % 1000;
    if (rest > 500 || (rest == 500 && millis % 2 == 1)) millis++;
    return utc_text(t + (millis == 1000), millis % 1000, 3);
}

/* --- the writer ----------------------------------------------------------------------------- */

static PyObject *cbv_urn, *epc_urn, *http, *https;

/* Whether canonical_value(text) is text itself, decided without calling it: what is neither a
 * number, nor a CBV URN, nor a GS1 key (an EPC URN or a Web URI), e.g. a handle `hdl:88.1/x`.
 * This mirrors prehash.canonical_value step by step (`_numeric` first looks at the first
 * character: an ASCII one that no number can start with); values the Python cache would
 * only see once (a document's many item codes) then skip it. */
static int unchanged(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0) return 0;
    Py_UCS4 first = PyUnicode_READ_CHAR(text, 0);
    if (first > 127 || strchr("0123456789+-.iInN \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", (int)first))
        return 0;
    if (PyUnicode_Tailmatch(text, epc_urn, 0, n, -1) || PyUnicode_Tailmatch(text, http, 0, n, -1) ||
        PyUnicode_Tailmatch(text, https, 0, n, -1))
        return 0;
    Py_ssize_t at = PyUnicode_Find(text, cbv_urn, 0, n, 1);
    return at == -1 ? 1 : (at == -2 ? -1 : 0);
}

/* canonical_value(text), or utc_millis(text) for a timestamp */
static PyObject *convert(PyObject *text, int is_time) {
    if (!is_time) {
        int same = unchanged(text);
        if (same < 0) return NULL;
        if (same) return Py_NewRef(text);
    }
    PyObject *out = is_time ? fast_utc_millis(text) : NULL;
    if (out == NULL && !PyErr_Occurred())
        out = PyObject_CallOneArg(is_time ? utc_millis : canonical_value, text);
    return out;
}

/* canonical_value of the stripped value */
static PyObject *converted(Ctx *c, PyObject *obj) {
    PyObject *text = text_of(c, obj);
    if (text == NULL) return NULL;
    PyObject *out = convert(text, 0);
    Py_DECREF(text);
    return out;
}

static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL) return FAIL;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

/* Appends prefix + canon(value) to `out`, prefix being "name=". */
static int append_pair(Ctx *c, PyObject *out, PyObject *prefix, PyObject *value) {
    PyObject *canon = converted(c, value);
    if (canon == NULL) return FAIL;
    PyObject *item = PyUnicode_Concat(prefix, canon);
    Py_DECREF(canon);
    return append_new(out, item);
}

static PyObject *joined(PyObject *prefix, PyObject *items) {
    PyObject *text = PyUnicode_Join(empty, items);
    if (text == NULL || prefix == NULL) return text;
    Py_SETREF(text, PyUnicode_Concat(prefix, text));
    return text;
}

/* Appends prefix + "".join(sorted(items)) to `out`; consumes `items`. */
static int append_sorted(PyObject *out, PyObject *prefix, PyObject *items) {
    int rc = PyList_Sort(items) < 0 ? FAIL : append_new(out, joined(prefix, items));
    Py_DECREF(items);
    return rc;
}

/* `value` is absent or falsy (empty), a list, or (DEFER) something else the Python path
 * would iterate. */
static int list_or_falsy(PyObject *value, int *is_empty) {
    *is_empty = 1;
    if (value == NULL) return PyErr_Occurred() ? FAIL : OK;
    if (PyList_Check(value)) {
        *is_empty = PyList_GET_SIZE(value) == 0;
        return OK;
    }
    int truth = PyObject_IsTrue(value);
    return truth < 0 ? FAIL : truth ? DEFER : OK;
}

/* Are all the keys of `dict` in `allowed`? 1, 0, or FAIL */
static int only_keys(PyObject *dict, PyObject *allowed) {
    Py_ssize_t pos = 0;
    PyObject *k, *value;
    while (PyDict_Next(dict, &pos, &k, &value)) {
        int in = PySet_Contains(allowed, k);
        if (in <= 0) return in;
    }
    return 1;
}

/* epcs(name): name + sorted("epc=" + canon(v)) */
static int epcs(Ctx *c, PyObject *event, int name, PyObject *parts) {
    PyObject *values = PyDict_GetItemWithError(event, key[name]);
    int is_empty, rc = list_or_falsy(values, &is_empty);
    if (rc != OK || is_empty) return rc;
    PyObject *items = PyList_New(0);
    if (items == NULL) return FAIL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(values); i++) {
        if (append_pair(c, items, label[N_epc], PyList_GET_ITEM(values, i)) < 0) {
            Py_DECREF(items);
            return FAIL;
        }
    }
    return append_sorted(parts, key[name], items);
}

static PyObject *quantity_keys, *sensor_element_keys, *set_unset_keys;

static int quantities(Ctx *c, PyObject *event, int name, PyObject *parts) {
    static const int fields[] = {N_epcClass, N_quantity, N_uom};
    PyObject *elements = PyDict_GetItemWithError(event, key[name]);
    int is_empty, rc = list_or_falsy(elements, &is_empty);
    if (rc != OK || is_empty) return rc;
    PyObject *items = PyList_New(0);
    if (items == NULL) return FAIL;
    for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(elements); i++) {
        PyObject *element = PyList_GET_ITEM(elements, i), *written;
        if (!PyDict_Check(element) || (rc = only_keys(element, quantity_keys)) != 1) {
            rc = rc < 0 ? FAIL : GENERAL;
            break;
        }
        rc = (written = PyList_New(0)) == NULL ? FAIL : OK;
        for (int k = 0; rc == OK && k < 3; k++) {
            PyObject *value = PyDict_GetItemWithError(element, key[fields[k]]);
            if (value != NULL) rc = append_pair(c, written, label[fields[k]], value);
        }
        if (rc == OK) rc = append_new(items, joined(key[N_quantityElement], written));
        Py_XDECREF(written);
    }
    if (rc != OK) {
        Py_DECREF(items);
        return rc;
    }
    return append_sorted(parts, key[name], items);
}

/* The fields of a flat sensor object, `name=value` in the standard's order (`_fast_fields`). */
static int sensor_fields(Ctx *c, PyObject *obj, PyObject *rank, PyObject **out) {
    enum { MOST = 64 };
    PyObject *keys[MOST], *k, *value;
    long places[MOST];
    Py_ssize_t n = 0, pos = 0;
    *out = NULL;
    if (!PyDict_Check(obj) || PyDict_GET_SIZE(obj) > MOST) return GENERAL;
    while (PyDict_Next(obj, &pos, &k, &value)) {
        PyObject *place = PyDict_GetItemWithError(rank, k);
        if (place == NULL) return PyErr_Occurred() ? FAIL : GENERAL;
        long at = PyLong_AsLong(place);
        if (at == -1 && PyErr_Occurred()) return FAIL;
        Py_ssize_t i = n++; /* insertion sort: a report names a handful of fields */
        for (; i > 0 && places[i - 1] > at; i--) {
            keys[i] = keys[i - 1];
            places[i] = places[i - 1];
        }
        keys[i] = k;
        places[i] = at;
    }
    for (Py_ssize_t i = 0; i < n; i++) { /* a nested value needs the tree walk */
        value = PyDict_GetItemWithError(obj, keys[i]);
        if (value != NULL && (PyDict_Check(value) || PyList_Check(value))) return GENERAL;
    }
    PyObject *written = PyList_New(0);
    int rc = written == NULL ? FAIL : OK;
    for (Py_ssize_t i = 0; rc == OK && i < n; i++) {
        value = PyDict_GetItemWithError(obj, keys[i]);
        if (value == NULL || value == Py_None) continue;
        PyObject *text = text_of(c, value);
        if (text == NULL) {
            rc = FAIL;
            break;
        }
        if (PyUnicode_GET_LENGTH(text) == 0) {
            Py_DECREF(text);
            continue;
        }
        /* "time" in key.lower(): the keys are the rank's, all ASCII */
        const char *name = PyUnicode_AsUTF8(keys[i]);
        int is_time = 0;
        for (const char *p = name; p != NULL && *p && !is_time; p++)
            is_time = (p[0] | 32) == 't' && (p[1] | 32) == 'i' && (p[2] | 32) == 'm' &&
                      (p[3] | 32) == 'e';
        PyObject *prefix = PyDict_GetItemWithError(sensor_labels, keys[i]);
        PyObject *canon = prefix != NULL ? convert(text, is_time) : NULL;
        Py_DECREF(text);
        if (canon == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "sensor field label");
            rc = FAIL;
            break;
        }
        rc = append_new(written, PyUnicode_Concat(prefix, canon));
        Py_DECREF(canon);
    }
    if (rc == OK) *out = joined(NULL, written);
    Py_XDECREF(written);
    return rc != OK ? rc : *out == NULL ? FAIL : OK;
}

/* One sensorElement: "sensorElement" + metadata + sorted reports, or "" (in *out). */
static int sensor_element(Ctx *c, PyObject *element, PyObject **out) {
    PyObject *fields = NULL, *texts = NULL, *metadata = NULL;
    int rc, truth;
    *out = NULL;
    if (!PyDict_Check(element) || (rc = only_keys(element, sensor_element_keys)) != 1)
        return PyErr_Occurred() ? FAIL : GENERAL;
    PyObject *meta_obj = GET(element, sensorMetadata);
    PyObject *reports = meta_obj != NULL || !PyErr_Occurred() ? GET(element, sensorReport) : NULL;
    if (PyErr_Occurred()) return FAIL;
    if (meta_obj != NULL) {
        if ((rc = sensor_fields(c, meta_obj, metadata_rank, &fields)) != OK) return rc;
        metadata = PyUnicode_GET_LENGTH(fields) ? PyUnicode_Concat(key[N_sensorMetadata], fields)
                                                : Py_NewRef(empty);
        Py_DECREF(fields);
        if (metadata == NULL) return FAIL;
    } else {
        metadata = Py_NewRef(empty);
    }
    if (reports != NULL && (truth = PyObject_IsTrue(reports)) <= 0) {
        reports = NULL;
        rc = truth < 0 ? FAIL : OK;
    } else {
        rc = reports != NULL && !PyList_Check(reports) ? GENERAL : OK;
    }
    if (rc == OK) rc = (texts = PyList_New(0)) == NULL ? FAIL : OK;
    for (Py_ssize_t r = 0; rc == OK && reports != NULL && r < PyList_GET_SIZE(reports); r++) {
        rc = sensor_fields(c, PyList_GET_ITEM(reports, r), report_rank, &fields);
        if (rc == OK && PyUnicode_GET_LENGTH(fields))
            rc = append_new(texts, PyUnicode_Concat(key[N_sensorReport], fields));
        Py_CLEAR(fields);
    }
    if (rc == OK && PyList_Sort(texts) < 0) rc = FAIL;
    if (rc == OK) {
        PyObject *reports_text = joined(metadata, texts);
        if (reports_text == NULL) {
            rc = FAIL;
        } else if (PyUnicode_GET_LENGTH(reports_text)) {
            *out = PyUnicode_Concat(key[N_sensorElement], reports_text);
            rc = *out == NULL ? FAIL : OK;
        } else {
            *out = Py_NewRef(empty);
        }
        Py_XDECREF(reports_text);
    }
    Py_XDECREF(texts);
    Py_DECREF(metadata);
    return rc;
}

/* The sensorElementList part (`_fast_sensors`), appended to `parts` when not empty. */
static int sensors(Ctx *c, PyObject *elements, PyObject *parts) {
    int truth;
    if (elements == NULL) return PyErr_Occurred() ? FAIL : OK;
    if ((truth = PyObject_IsTrue(elements)) <= 0) return truth < 0 ? FAIL : OK;
    if (!PyList_Check(elements)) return GENERAL;
    PyObject *written = PyList_New(0), *element;
    int rc = written == NULL ? FAIL : OK;
    for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(elements); i++) {
        rc = sensor_element(c, PyList_GET_ITEM(elements, i), &element);
        if (rc == OK && PyUnicode_GET_LENGTH(element)) rc = PyList_Append(written, element);
        Py_XDECREF(element);
    }
    if (rc != OK || PyList_GET_SIZE(written) == 0) {
        Py_XDECREF(written);
        return rc;
    }
    return append_sorted(parts, key[N_sensorElementList], written);
}

static int persistent_disposition(Ctx *c, PyObject *persistent, PyObject *parts) {
    static const int fields[] = {N_set, N_unset};
    int is_empty, rc;
    if (persistent == NULL) return PyErr_Occurred() ? FAIL : OK;
    if (persistent == Py_None) return OK;
    if (!PyDict_Check(persistent)) return DEFER;
    if ((rc = only_keys(persistent, set_unset_keys)) != 1) return rc < 0 ? FAIL : GENERAL;
    PyObject *inner = PyList_New(0), *items = NULL;
    rc = inner == NULL ? FAIL : OK;
    for (int k = 0; rc == OK && k < 2; k++) {
        PyObject *values = PyDict_GetItemWithError(persistent, key[fields[k]]);
        if ((rc = list_or_falsy(values, &is_empty)) != OK || is_empty) continue;
        rc = (items = PyList_New(0)) == NULL ? FAIL : OK;
        for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(values); i++)
            rc = append_pair(c, items, label[fields[k]], PyList_GET_ITEM(values, i));
        if (rc == OK) rc = append_sorted(inner, NULL, Py_NewRef(items));
        Py_CLEAR(items);
    }
    if (rc == OK) {
        PyObject *text = joined(NULL, inner);
        if (text == NULL)
            rc = FAIL;
        else if (PyUnicode_GET_LENGTH(text))
            rc = append_new(parts, PyUnicode_Concat(key[N_persistentDisposition], text));
        Py_XDECREF(text);
    }
    Py_XDECREF(inner);
    return rc;
}

/* bizTransactionList, sourceList, destinationList: each pair's fields in its own order. */
static int pairs(Ctx *c, PyObject *event, int name, int inner, PyObject *rest) {
    PyObject *list = PyDict_GetItemWithError(event, key[name]);
    int is_empty, rc = list_or_falsy(list, &is_empty);
    if (rc != OK || is_empty) return rc;
    PyObject *written = PyList_New(0);
    rc = written == NULL ? FAIL : OK;
    for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(list); i++) {
        PyObject *pair = PyList_GET_ITEM(list, i), *k, *v, *fields;
        Py_ssize_t pos = 0;
        if (!PyDict_Check(pair)) {
            rc = DEFER;
            break;
        }
        if (PyDict_GET_SIZE(pair) != 2 || !PyDict_Contains(pair, key[N_type]) ||
            !PyDict_Contains(pair, key[inner])) {
            rc = GENERAL;
            break;
        }
        rc = (fields = PyList_New(0)) == NULL ? FAIL : OK;
        while (rc == OK && PyDict_Next(pair, &pos, &k, &v)) {
            PyObject *prefix = PyUnicode_Concat(k, equals);
            rc = prefix == NULL ? FAIL : append_pair(c, fields, prefix, v);
            Py_XDECREF(prefix);
        }
        if (rc == OK) rc = append_new(written, joined(NULL, fields));
        Py_XDECREF(fields);
    }
    if (rc != OK) {
        Py_XDECREF(written);
        return rc;
    }
    return append_sorted(rest, key[name], written);
}

static int simple(Ctx *c, PyObject *event, int name, PyObject *parts) {
    PyObject *value = PyDict_GetItemWithError(event, key[name]);
    if (value == NULL) return PyErr_Occurred() ? FAIL : OK;
    return append_pair(c, parts, label[name], value);
}

static int place(Ctx *c, PyObject *event, int name, int prefix, PyObject *parts) {
    PyObject *value = PyDict_GetItemWithError(event, key[name]);
    if (value == NULL) return PyErr_Occurred() ? FAIL : OK;
    if (value == Py_None) return OK;
    if (!PyDict_Check(value)) return DEFER;
    PyObject *id = GET(value, id);
    if (PyDict_GET_SIZE(value) != 1 || id == NULL) return PyErr_Occurred() ? FAIL : GENERAL;
    return append_pair(c, parts, label[prefix], id);
}

static int head(Ctx *c, PyObject *event, PyObject *parts) {
    PyObject *type = GET(event, type), *item;
    if (type == NULL && PyErr_Occurred()) return FAIL;
    item = type == NULL ? Py_NewRef(label[N_eventType]) : PyUnicode_FromFormat("eventType=%S", type);
    if (append_new(parts, item) < 0) return FAIL;
    static const int times[] = {N_eventTime, N_eventTimeZoneOffset};
    for (int t = 0; t < 2; t++) {
        PyObject *value = PyDict_GetItemWithError(event, key[times[t]]);
        if (value == NULL) {
            if (PyErr_Occurred()) return FAIL;
            continue;
        }
        PyObject *text = text_of(c, value), *canon;
        if (text == NULL) return FAIL;
        if (PyUnicode_GET_LENGTH(text) == 0) {
            Py_DECREF(text);
            continue;
        }
        canon = convert(text, t == 0);
        Py_DECREF(text);
        if (canon == NULL) return FAIL;
        item = PyUnicode_Concat(label[times[t]], canon);
        Py_DECREF(canon);
        if (append_new(parts, item) < 0) return FAIL;
    }
    PyObject *certificates = GET(event, certificationInfo);
    if (certificates == NULL && PyErr_Occurred()) return FAIL;
    if (certificates != NULL && certificates != Py_None) {
        PyObject *items = PyList_New(0);
        int rc = items == NULL ? FAIL : OK;
        if (rc == OK && PyList_Check(certificates)) {
            for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(certificates); i++)
                rc = append_pair(c, items, label[N_certificationInfo],
                                 PyList_GET_ITEM(certificates, i));
        } else if (rc == OK) {
            rc = append_pair(c, items, label[N_certificationInfo], certificates);
        }
        if (rc == OK && PyList_Sort(items) < 0) rc = FAIL;
        for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(items); i++)
            rc = PyList_Append(parts, PyList_GET_ITEM(items, i));
        Py_XDECREF(items);
        if (rc != OK) return rc;
    }
    PyObject *parent = GET(event, parentID);
    if (parent == NULL) return PyErr_Occurred() ? FAIL : OK;
    return append_pair(c, parts, label[N_parentID], parent);
}

/* The body of `_fast_pre_hash`: the steps in the standard's order. */
static int write_event(Ctx *c, PyObject *event, PyObject *parts, PyObject *rest) {
    static const int epc_lists[] = {N_epcList, N_inputEPCList, N_childEPCs};
    static const int quantity_lists[] = {N_quantityList, N_childQuantityList,
                                         N_inputQuantityList};
    static const int simple_fields[] = {N_action, N_transformationID, N_bizStep, N_disposition};
    int rc = head(c, event, parts);
    for (int i = 0; rc == OK && i < 3; i++) rc = epcs(c, event, epc_lists[i], parts);
    for (int i = 0; rc == OK && i < 3; i++) rc = quantities(c, event, quantity_lists[i], parts);
    if (rc == OK) rc = epcs(c, event, N_outputEPCList, parts);
    if (rc == OK) rc = quantities(c, event, N_outputQuantityList, parts);
    for (int i = 0; rc == OK && i < 4; i++) rc = simple(c, event, simple_fields[i], parts);
    if (rc == OK) {
        PyObject *persistent = GET(event, persistentDisposition);
        rc = persistent_disposition(c, persistent, parts);
    }
    if (rc == OK) rc = place(c, event, N_readPoint, N_readPointid, parts);
    if (rc == OK) rc = place(c, event, N_bizLocation, N_bizLocationid, parts);
    if (rc == OK) rc = pairs(c, event, N_bizTransactionList, N_bizTransaction, rest);
    if (rc == OK) rc = pairs(c, event, N_sourceList, N_source, rest);
    if (rc == OK) rc = pairs(c, event, N_destinationList, N_destination, rest);
    if (rc == OK) rc = sensors(c, GET(event, sensorElementList), parts);
    return rc;
}

static PyObject *pre_hash(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "pre_hash(event: dict, namespaces: dict)");
        return NULL;
    }
    if (fast_keys == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    PyObject *event = args[0];
    int known = only_keys(event, fast_keys);
    if (known <= 0) return known < 0 ? NULL : Py_NewRef(Py_None);
    Ctx c = {args[1], NULL, NULL};
    PyObject *parts = NULL, *rest = NULL, *out = NULL;
    int rc = collect(&c, event, NULL);
    if (rc == OK) rc = (parts = PyList_New(0)) == NULL ? FAIL : OK;
    if (rc == OK) rc = (rest = PyList_New(0)) == NULL ? FAIL : OK;
    if (rc == OK) rc = write_event(&c, event, parts, rest);
    /* the pair lists are never matched by the property order: they follow, sorted */
    if (rc == OK) rc = PyList_Sort(rest) < 0 ? FAIL : OK;
    for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(rest); i++)
        rc = PyList_Append(parts, PyList_GET_ITEM(rest, i));
    if (rc == OK)
        out = PyUnicode_Join(empty, parts);
    else if (rc == GENERAL)
        out = Py_NewRef(Py_None);
    else if (rc == DEFER)
        out = Py_NewRef(Py_NotImplemented);
    Py_XDECREF(parts);
    Py_XDECREF(rest);
    Py_XDECREF(c.expanded);
    Py_XDECREF(c.by_suffix);
    return out;
}

static PyObject *configure(PyObject *module, PyObject *args, PyObject *kwargs) {
    (void)module;
    static char *names[] = {"prefixes", "field_vocabularies", "suffix_index", "canonical_value",
                            "utc_millis", "fast_keys", "metadata_rank", "report_rank", NULL};
    PyObject *v[8];
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!OOOO!O!O!", names, &PyTuple_Type, &v[0],
                                     &PyDict_Type, &v[1], &v[2], &v[3], &v[4],
                                     &PyFrozenSet_Type, &v[5], &PyDict_Type, &v[6],
                                     &PyDict_Type, &v[7]))
        return NULL;
    PyObject *labels = PyDict_New(), *k, *value;
    for (int r = 6; labels != NULL && r < 8; r++) {
        Py_ssize_t pos = 0;
        while (labels != NULL && PyDict_Next(v[r], &pos, &k, &value)) {
            PyObject *text = PyUnicode_Check(k) ? PyUnicode_Concat(k, equals) : NULL;
            if (text == NULL || PyDict_SetItem(labels, k, text) < 0) Py_CLEAR(labels);
            Py_XDECREF(text);
        }
    }
    if (labels == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "sensor fields must be str");
        return NULL;
    }
    PyObject **slots[] = {&vocabulary_prefixes, &field_vocabularies, &suffix_index,
                          &canonical_value, &utc_millis, &fast_keys, &metadata_rank,
                          &report_rank};
    for (int i = 0; i < 8; i++) Py_XSETREF(*slots[i], Py_NewRef(v[i]));
    Py_XSETREF(sensor_labels, labels);
    Py_CLEAR(last_words);
    Py_CLEAR(last_index);
    Py_RETURN_NONE;
}

static PyObject *utc_millis_c(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "utc_millis(text: str)");
        return NULL;
    }
    PyObject *out = fast_utc_millis(text);
    return out != NULL || PyErr_Occurred() ? out : Py_NewRef(Py_None);
}

/* The stored form of a time (record.utc_text of record.parse_time): UTC to the microsecond */
static PyObject *utc_micros_c(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "utc_micros(text: str)");
        return NULL;
    }
    long long t;
    int micro;
    if (!parse_usual_time(text, &t, &micro)) Py_RETURN_NONE;
    return utc_text(t, micro, 6);
}

static PyObject *frozen(int a, int b, int c) {
    PyObject *set = PyFrozenSet_New(NULL);
    int items[] = {a, b, c};
    for (int i = 0; set != NULL && i < 3; i++)
        if (items[i] >= 0 && PySet_Add(set, key[items[i]]) < 0) Py_CLEAR(set);
    return set;
}

static PyMethodDef methods[] = {
    {"pre_hash", (PyCFunction)(void (*)(void))pre_hash, METH_FASTCALL,
     "pre_hash(event, namespaces) -> str | None | NotImplemented"},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "Hand over the vocabularies and the Python helpers (once, at first use)."},
    {"utc_millis", utc_millis_c, METH_O,
     "The usual ISO 8601 form in UTC to the millisecond; None for any other form."},
    {"utc_micros", utc_micros_c, METH_O,
     "The usual ISO 8601 form in UTC to the microsecond; None for any other form."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_prehash_c", "The CBV 2.0 pre-hash fast path, in C.", -1, methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__prehash_c(void) {
    for (int i = 0; i < N_COUNT; i++) {
        key[i] = PyUnicode_InternFromString(name_texts[i]);
        label[i] = key[i] ? PyUnicode_FromFormat("%s=", name_texts[i]) : NULL;
        if (label[i] == NULL) return NULL;
    }
    cbv_urn = PyUnicode_FromString("urn:epcglobal:cbv:");
    epc_urn = PyUnicode_FromString("urn:epc:");
    http = PyUnicode_FromString("http://");
    https = PyUnicode_FromString("https://");
    if (!cbv_urn || !epc_urn || !http || !https) return NULL;
    empty = PyUnicode_FromString("");
    equals = PyUnicode_FromString("=");
    brace_open = PyUnicode_FromString("{");
    brace_close = PyUnicode_FromString("}");
    quantity_keys = frozen(N_epcClass, N_quantity, N_uom);
    sensor_element_keys = frozen(N_sensorMetadata, N_sensorReport, -1);
    set_unset_keys = frozen(N_set, N_unset, -1);
    if (!empty || !equals || !brace_open || !brace_close || !quantity_keys || !sensor_element_keys || !set_unset_keys)
        return NULL;
    return PyModule_Create(&module_def);
}
