// SPDX-License-Identifier: GPL-2.0
/*
 * Entry point of a C test tier: build/selftests/test_bpf as is, and
 * build/selftests/test_agent when compiled with -DTEST_TIER='"agent"'
 * -DTESTS_INC='"selftests/agent/tests.inc"'. The table of tests comes from
 * tests.inc, which the Makefile generates by grepping the tier's .c files
 * for `void test_NAME(void)`; test_main() runs them.
 */
#include "../lib/test.h"

#ifndef TEST_TIER
#define TEST_TIER "bpf"
#endif
#ifndef TESTS_INC
#define TESTS_INC "selftests/bpf/tests.inc"
#endif

#define TEST(name) void test_##name(void);
#include TESTS_INC
#undef TEST

static const struct test_entry tests[] = {
#define TEST(name) { #name, test_##name },
#include TESTS_INC
#undef TEST
};

int main(int argc, char **argv)
{
	return test_main(TEST_TIER, tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
