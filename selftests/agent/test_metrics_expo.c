// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text format writer: a page compared byte for byte
 * (HELP/TYPE lines, labels, escaping of label values and HELP text,
 * integer and float values, labels left out, empty families dropped),
 * refused names, and errors that leave only whole lines behind.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../lib/test.h"
#include "metrics/expo.h"

void test_metrics_expo_format(void)
{
	struct buf b;
	struct expo e;

	buf_init(&b, 0);
	expo_init(&e, &b);
	expo_family(&e, "xlb_vip_packets_total", EXPO_COUNTER, "Packets for the VIP.");
	expo_u64(&e, 42, "vip", "203.0.113.10:80/tcp", NULL);
	expo_u64(&e, UINT64_MAX, "vip", "[2001:db8::1]:80/tcp", NULL);
	expo_family(&e, "xlb_empty", EXPO_GAUGE, "Never sampled: left out.");
	expo_family(&e, "xlb_escape", EXPO_GAUGE, "HELP with a \\ and a\nline feed, \"quotes\" kept.");
	expo_u64(&e, 1, "name", "a \"quoted\" \\ back\nslash", "other", "plain", NULL);
	expo_u64(&e, 0, "name", "", NULL);
	expo_u64(&e, 2, "skipped", NULL, "kept", "\xc3\xa9t\xc3\xa9", NULL);
	expo_family(&e, "xlb_float_seconds", EXPO_GAUGE, "");
	expo_f64(&e, 0.5, NULL);
	expo_f64(&e, 4.9e-05, "k", "small", NULL);
	expo_f64(&e, 0.1, "k", "tenth", NULL);
	expo_f64(&e, 1.0 / 3, "k", "third", NULL);
	expo_f64(&e, NAN, "k", "nan", NULL);
	expo_f64(&e, INFINITY, "k", "inf", NULL);
	expo_f64(&e, -INFINITY, "k", "-inf", NULL);
	expo_family(&e, "xlb_untyped", EXPO_UNTYPED, "x");
	expo_u64(&e, 7, NULL);
	expo_family(&e, "xlb_last_empty", EXPO_GAUGE, "dropped at finish");
	ASSERT_OK(expo_finish(&e), "finish");
	ASSERT_STREQ(buf_str(&b),
		     "# HELP xlb_vip_packets_total Packets for the VIP.\n"
		     "# TYPE xlb_vip_packets_total counter\n"
		     "xlb_vip_packets_total{vip=\"203.0.113.10:80/tcp\"} 42\n"
		     "xlb_vip_packets_total{vip=\"[2001:db8::1]:80/tcp\"} 18446744073709551615\n"
		     "# HELP xlb_escape HELP with a \\\\ and a\\nline feed, \"quotes\" kept.\n"
		     "# TYPE xlb_escape gauge\n"
		     "xlb_escape{name=\"a \\\"quoted\\\" \\\\ back\\nslash\",other=\"plain\"} 1\n"
		     "xlb_escape{name=\"\"} 0\n"
		     "xlb_escape{kept=\"\xc3\xa9t\xc3\xa9\"} 2\n"
		     "# HELP xlb_float_seconds \n"
		     "# TYPE xlb_float_seconds gauge\n"
		     "xlb_float_seconds 0.5\n"
		     "xlb_float_seconds{k=\"small\"} 4.9e-05\n"
		     "xlb_float_seconds{k=\"tenth\"} 0.1\n"
		     "xlb_float_seconds{k=\"third\"} 0.33333333333333331\n"
		     "xlb_float_seconds{k=\"nan\"} NaN\n"
		     "xlb_float_seconds{k=\"inf\"} +Inf\n"
		     "xlb_float_seconds{k=\"-inf\"} -Inf\n"
		     "# HELP xlb_untyped x\n"
		     "# TYPE xlb_untyped untyped\n"
		     "xlb_untyped 7\n",
		     "page");
	buf_free(&b);
}

void test_metrics_expo_names(void)
{
	static const struct {
		const char *s;
		bool metric, label;
	} cases[] = {
		{ "xlb_vip_packets_total", true, true },
		{ "a:b", true, false },		/* colons: metric names only */
		{ "_x", true, true },
		{ "__name", true, false },	/* reserved for Prometheus */
		{ "x9", true, true },
		{ "9x", false, false },
		{ "a-b", false, false },
		{ "a b", false, false },
		{ "", false, false },
		{ "\xc3\xa9", false, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("'%s'", cases[i].s);
		ASSERT_EQ(expo_metric_name_ok(cases[i].s), cases[i].metric, "metric name");
		ASSERT_EQ(expo_label_name_ok(cases[i].s), cases[i].label, "label name");
	}
}

/* Each misuse is refused with -EINVAL and leaves the page as it was. */
void test_metrics_expo_errors(void)
{
	static const char ok_page[] = "# HELP xlb_ok fine\n# TYPE xlb_ok gauge\nxlb_ok 1\n";
	struct buf b;
	struct expo e;
	int i;

	for (i = 0; i < 4; i++) {
		test_ctx("case %d", i);
		buf_init(&b, 0);
		expo_init(&e, &b);
		if (i == 0)
			expo_u64(&e, 1, NULL); /* before any family */
		expo_family(&e, "xlb_ok", EXPO_GAUGE, "fine");
		expo_u64(&e, 1, NULL);
		if (i == 1)
			expo_family(&e, "xlb-bad", EXPO_GAUGE, "dash");
		if (i == 2)
			expo_u64(&e, 2, "good", "x", "__bad", "y", NULL);
		if (i == 3)
			expo_family(&e, "xlb_bad_type", (enum expo_type)7, "type");
		/* nothing after an error is written */
		expo_family(&e, "xlb_after", EXPO_GAUGE, "after");
		expo_u64(&e, 3, NULL);
		if (i == 0) {
			ASSERT_EQ(expo_finish(&e), -EINVAL, "sample outside a family");
			ASSERT_STREQ(buf_str(&b), "", "nothing written");
		} else {
			ASSERT_EQ(expo_finish(&e), -EINVAL, "refused");
			ASSERT_STREQ(buf_str(&b), ok_page, "only what came before");
		}
		buf_free(&b);
	}
}

/* A page larger than the buffer's limit: -ENOBUFS, and what is there
 * ends with a whole line. */
void test_metrics_expo_full(void)
{
	struct buf b;
	struct expo e;
	int i;

	buf_init(&b, 300);
	expo_init(&e, &b);
	expo_family(&e, "xlb_many", EXPO_COUNTER, "Many samples.");
	for (i = 0; i < 100; i++)
		expo_u64(&e, i, "vip", "203.0.113.10:80/tcp", NULL);
	ASSERT_EQ(expo_finish(&e), -ENOBUFS, "page too large");
	ASSERT_GT(b.len, 0, "something written");
	ASSERT_LE(b.len, 300, "within the limit");
	ASSERT_EQ(buf_str(&b)[b.len - 1], '\n', "ends with a whole line");
	buf_free(&b);
}
