/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C test tiers' framework, in the spirit of the kernel's test_progs.
 *
 * A test is any `void test_NAME(void)` in a tier's .c files; the Makefile
 * greps them into a table that the tier's main.c hands to test_main(). Each
 * test runs in its own forked child with a timeout, so a crash, a sanitizer
 * abort or a hang is that test's failure only. The runner prints one line
 * per test (`ok TIER/NAME`, `FAIL TIER/NAME`, `SKIP TIER/NAME: reason`);
 * everything the test wrote to stdout/stderr is kept (bounded) and shown,
 * indented, under a FAIL line (or always with -v).
 *
 * Every ASSERT_* returns a bool, true when the check passed, so a test can
 * write `if (!ASSERT_OK(err, "open")) goto out;` and still clean up. A failed
 * check prints `file:line: [ctx] what: details` and marks the test failed;
 * it does not stop the test.
 */
#ifndef XLB_SELFTESTS_TEST_H
#define XLB_SELFTESTS_TEST_H

#include <stdbool.h>
#include <stddef.h>

struct test_entry {
	const char *name;	/* NAME of test_NAME */
	void (*fn)(void);
};

/* Runs the selected tests of one tier. Options: -t SUBSTR (run tests whose
 * TIER/NAME contains SUBSTR; repeatable), -l (list names), -v (show detail
 * of every test), -T SECONDS (per-test timeout, default 120).
 * Returns the process exit status: 0 if nothing failed, 1 otherwise, 2 on a
 * usage error. */
int test_main(const char *tier, const struct test_entry *tests, size_t n, int argc, char **argv);

/* Marks the running test skipped with a reason; the test should then
 * return (or clean up and return). A failure overrides a skip. */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Labels the following failure messages, e.g. with a table case's name;
 * test_ctx(NULL) clears it. */
void test_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Marks the running test failed with a message (file:line prepended). */
#define test_fail(fmt, ...) test__fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

/* True once the running test has a failed check. */
bool test_failed(void);

/* Detail output (only shown on failure or with -v). Plain printf works too. */
void test_hexdump(const char *label, const void *buf, size_t len);
/* Both buffers 16 bytes per row: equal rows once, differing rows as a
 * `got` row over a `want` row with ^^ under each differing byte. */
void test_hexdump_diff(const void *got, size_t got_len, const void *want, size_t want_len);

/* Integer comparisons. Both sides are widened to __int128 and compared as
 * mathematical values, so signed/unsigned mixes compare as expected and
 * need no casts. Pointers are not integers here: use ASSERT_TRUE or
 * ASSERT_OK_PTR. */
#define ASSERT__CMP(a, b, op, a_str, b_str, what)                                                  \
	({                                                                                         \
		__int128 ___a = (a), ___b = (b);                                                   \
		test__cmp(___a op ___b, ___a, ___b, #op, a_str, b_str, what, __FILE__, __LINE__);  \
	})
#define ASSERT_EQ(got, want, what)	ASSERT__CMP(got, want, ==, #got, #want, what)
#define ASSERT_NEQ(got, want, what)	ASSERT__CMP(got, want, !=, #got, #want, what)
#define ASSERT_GE(got, want, what)	ASSERT__CMP(got, want, >=, #got, #want, what)
#define ASSERT_LE(got, want, what)	ASSERT__CMP(got, want, <=, #got, #want, what)
#define ASSERT_GT(got, want, what)	ASSERT__CMP(got, want, >, #got, #want, what)
#define ASSERT_LT(got, want, what)	ASSERT__CMP(got, want, <, #got, #want, what)

/* err must be 0; a negative err is shown as -errno with its strerror. */
#define ASSERT_OK(err, what) test__ok((err), #err, what, __FILE__, __LINE__)

#define ASSERT_TRUE(cond, what) test__true(!!(cond), true, #cond, what, __FILE__, __LINE__)
#define ASSERT_FALSE(cond, what) test__true(!!(cond), false, #cond, what, __FILE__, __LINE__)

/* ptr must be non-NULL; otherwise errno is shown (libbpf sets it). */
#define ASSERT_OK_PTR(ptr, what) test__ok_ptr((ptr), #ptr, what, __FILE__, __LINE__)

#define ASSERT_STREQ(got, want, what) test__streq(got, want, what, __FILE__, __LINE__)

/* Byte comparisons; a mismatch prints test_hexdump_diff() of both. */
#define ASSERT_MEMEQ(got, want, len, what)                                                         \
	test__pkt_eq(got, len, want, len, what, __FILE__, __LINE__)
#define ASSERT_PKT_EQ(got, got_len, want, want_len, what)                                          \
	test__pkt_eq(got, got_len, want, want_len, what, __FILE__, __LINE__)

/* Implementation of the macros above. */
void test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test__cmp(bool ok, __int128 a, __int128 b, const char *op, const char *a_str,
	       const char *b_str, const char *what, const char *file, int line);
bool test__ok(long long err, const char *err_str, const char *what, const char *file, int line);
bool test__true(bool val, bool want, const char *cond_str, const char *what, const char *file,
		int line);
bool test__ok_ptr(const void *ptr, const char *ptr_str, const char *what, const char *file,
		  int line);
bool test__streq(const char *got, const char *want, const char *what, const char *file, int line);
bool test__pkt_eq(const void *got, size_t got_len, const void *want, size_t want_len,
		  const char *what, const char *file, int line);

#endif /* XLB_SELFTESTS_TEST_H */
