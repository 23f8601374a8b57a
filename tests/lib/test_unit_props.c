#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "unit.h"

/* Recorded with `systemctl show --timestamp=unix -p …` in the tests' systemd environment
 * (tests/systemd/sdenv.sh). oom-kill cannot happen there (cgroup v1 memory limits), so those two
 * are written by hand: systemd sets Result=oom-kill from the unit cgroup's memory.events on
 * cgroup v2, while the main process itself died of SIGKILL (ExecMainCode 2 = CLD_KILLED). */
static const char rec_active[] =
        "MainPID=66\nStatusText=Ready to handle connections\nResult=success\nNRestarts=0\n"
        "ExecMainCode=0\nExecMainStatus=0\nLoadState=loaded\nActiveState=active\n"
        "SubState=running\nActiveEnterTimestamp=@1795616841\nInactiveEnterTimestamp=\n";
static const char rec_killed[] =
        "MainPID=0\nStatusText=Ready to handle connections\nResult=signal\nNRestarts=0\n"
        "ExecMainCode=2\nExecMainStatus=9\nLoadState=loaded\nActiveState=activating\n"
        "SubState=auto-restart\nActiveEnterTimestamp=@1795616841\n"
        "InactiveEnterTimestamp=@1795616841\n";
static const char rec_restarted[] =
        "MainPID=73\nStatusText=Ready to handle connections\nResult=success\nNRestarts=1\n"
        "ExecMainCode=0\nExecMainStatus=0\nLoadState=loaded\nActiveState=active\n"
        "SubState=running\nActiveEnterTimestamp=@1795616842\nInactiveEnterTimestamp=@1795616842\n";
static const char rec_not_found[] =
        "MainPID=0\nStatusText=\nResult=success\nNRestarts=0\nExecMainCode=0\nExecMainStatus=0\n"
        "LoadState=not-found\nActiveState=inactive\nSubState=dead\nActiveEnterTimestamp=\n"
        "InactiveEnterTimestamp=\n";
static const char rec_exit78[] =
        "MainPID=0\nStatusText=\nResult=exit-code\nNRestarts=0\nExecMainCode=1\n"
        "ExecMainStatus=78\nLoadState=loaded\nActiveState=failed\nSubState=failed\n"
        "ActiveEnterTimestamp=@1795616848\nInactiveEnterTimestamp=@1795616848\n";
static const char rec_watchdog[] =
        "MainPID=0\nStatusText=pretending\nResult=watchdog\nNRestarts=0\nExecMainCode=2\n"
        "ExecMainStatus=6\nLoadState=loaded\nActiveState=activating\nSubState=auto-restart\n"
        "ActiveEnterTimestamp=@1795616849\nInactiveEnterTimestamp=@1795616850\n";
static const char rec_oom_failed[] =
        "MainPID=0\nStatusText=Processes active: 2, idle: 0, Requests: 4102, slow: 0\n"
        "Result=oom-kill\nNRestarts=3\nExecMainCode=2\nExecMainStatus=9\nLoadState=loaded\n"
        "ActiveState=failed\nSubState=failed\nActiveEnterTimestamp=@1795616900\n"
        "InactiveEnterTimestamp=@1795616960\n";
static const char rec_oom_restart[] =
        "MainPID=0\nResult=oom-kill\nNRestarts=2\nExecMainCode=2\nExecMainStatus=9\n"
        "LoadState=loaded\nActiveState=activating\nSubState=auto-restart\n";

static void parsed(const char *text, struct unit_state *st) {
        ck_assert_int_eq(unit_state_parse_show(text, st), 0);
}

static void verdict_is(const char *text, const char *want) {
        struct unit_state st;
        char buf[128];
        parsed(text, &st);
        int n = unit_state_describe(&st, buf, sizeof(buf));
        ck_assert_str_eq(buf, want);
        ck_assert_int_eq(n, (int) strlen(want));
}

START_TEST(test_parse_fields) {
        struct unit_state st;
        parsed(rec_killed, &st);
        ck_assert_str_eq(st.load_state, "loaded");
        ck_assert_str_eq(st.active_state, "activating");
        ck_assert_str_eq(st.sub_state, "auto-restart");
        ck_assert_str_eq(st.result, "signal");
        ck_assert_uint_eq(st.main_pid, 0);
        ck_assert_int_eq(st.exec_main_code, 2);
        ck_assert_int_eq(st.exec_main_status, 9);
        ck_assert_str_eq(st.status_text, "Ready to handle connections");
        ck_assert_uint_eq(st.active_enter_usec, 1795616841000000ULL);
        ck_assert_uint_eq(st.inactive_enter_usec, 1795616841000000ULL);
        parsed(rec_active, &st);
        ck_assert_uint_eq(st.main_pid, 66);
        ck_assert_uint_eq(st.inactive_enter_usec, 0);
}
END_TEST

START_TEST(test_verdicts) {
        verdict_is(rec_active, "active (running)");
        verdict_is(rec_killed, "auto-restart after signal 9 (NRestarts=0)");
        verdict_is(rec_restarted, "active (running, NRestarts=1)");
        verdict_is(rec_not_found, "not-found");
        verdict_is(rec_exit78, "failed (Result=exit-code, exit status 78)");
        verdict_is(rec_watchdog, "auto-restart after watchdog (NRestarts=0)");
}
END_TEST

START_TEST(test_oom_kill) {
        struct unit_state st;
        parsed(rec_oom_failed, &st);
        ck_assert_str_eq(st.result, "oom-kill");
        /* the SIGKILL that carried it out does not hide the cause */
        verdict_is(rec_oom_failed, "failed (Result=oom-kill)");
        verdict_is(rec_oom_restart, "auto-restart after oom-kill (NRestarts=2)");
}
END_TEST

START_TEST(test_other_verdicts) {
        verdict_is("LoadState=masked\nActiveState=inactive\nSubState=dead\n", "masked");
        verdict_is("", "unknown");
        verdict_is("LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=core-dump\n"
                   "ExecMainCode=3\nExecMainStatus=11\n",
                   "failed (Result=core-dump, signal 11, core dumped)");
        verdict_is("LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=signal\n"
                   "ExecMainCode=2\nExecMainStatus=9\n",
                   "failed (Result=signal, signal 9)");
        verdict_is("LoadState=loaded\nActiveState=failed\nSubState=failed\n"
                   "Result=start-limit-hit\nExecMainCode=1\nExecMainStatus=255\n",
                   "failed (Result=start-limit-hit)");
        verdict_is("LoadState=loaded\nActiveState=inactive\nSubState=dead\nResult=success\n",
                   "inactive (dead)");
}
END_TEST

START_TEST(test_parse_hostile) {
        struct unit_state st;
        ck_assert_int_eq(unit_state_parse_show("NRestarts=x\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("NRestarts=-1\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("NRestarts=4294967296\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("MainPID=\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("ExecMainStatus=2147483648\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("ActiveEnterTimestamp=Mon 2026-11-25\n", &st),
                         -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("ActiveEnterTimestamp=@99999999999999999\n", &st),
                         -EBADMSG);
        parsed("ExecMainStatus=-3\r\nSubState=running\r\nnonsense\n=x\nStatusText=a=b\nLoadState",
               &st);
        ck_assert_int_eq(st.exec_main_status, -3);
        ck_assert_str_eq(st.sub_state, "running");
        ck_assert_str_eq(st.status_text, "a=b");
        ck_assert_str_eq(st.load_state, "");
        ck_assert_int_eq(unit_state_parse_show("MemoryMax=12x\n", &st), -EBADMSG);
        ck_assert_int_eq(unit_state_parse_show("MemoryMax=@5\n", &st), -EBADMSG);
}
END_TEST

/* The pool unit's cgroup and memory limit, as `systemctl show` prints them: bytes, or infinity. */
START_TEST(test_parse_memory) {
        struct unit_state st;
        parsed("ControlGroup=/system.slice/php8.2-fpm.service\nMemoryMax=268435456\n", &st);
        ck_assert_str_eq(st.control_group, "/system.slice/php8.2-fpm.service");
        ck_assert_uint_eq(st.memory_max, 268435456);
        parsed("MemoryMax=infinity\nControlGroup=\n", &st);
        ck_assert_uint_eq(st.memory_max, UINT64_MAX);
        ck_assert_str_eq(st.control_group, "");
}
END_TEST

START_TEST(test_truncation) {
        char text[600] = "StatusText=";
        memset(text + strlen(text), 'x', 400);
        struct unit_state st;
        parsed(text, &st);
        ck_assert_uint_eq(strlen(st.status_text), UNIT_STATUS_MAX - 1);
        parsed("SubState=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &st);
        ck_assert_uint_eq(strlen(st.sub_state), UNIT_WORD_MAX - 1);
        char small[8];
        parsed(rec_killed, &st);
        int n = unit_state_describe(&st, small, sizeof(small));
        ck_assert_int_eq(n, (int) strlen("auto-restart after signal 9 (NRestarts=0)"));
        ck_assert_str_eq(small, "auto-re");
}
END_TEST

START_TEST(test_equal) {
        struct unit_state a, b;
        parsed(rec_active, &a);
        parsed(rec_active, &b);
        ck_assert(unit_state_equal(&a, &b));
        b.n_restarts++;
        ck_assert(!unit_state_equal(&a, &b));
        parsed(rec_active, &b);
        strcpy(b.status_text, "Ready");
        ck_assert(!unit_state_equal(&a, &b));
}
END_TEST

static void count_event(enum unit_event ev, const struct unit_state *st, void *userdata) {
        unsigned *counts = userdata;
        counts[ev]++;
}

/* No bus to reach: one disconnect report, then retries at a doubling interval, capped. */
START_TEST(test_no_bus_backoff) {
        unsigned counts[3] = { 0 };
        struct unit *u;
        uint64_t due, now = 1000;
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bgw-test-bus", 1);
        ck_assert_int_eq(unit_open(&u, "x.service", count_event, counts), 0);
        ck_assert_int_eq(unit_fd(u), -ENOTCONN);
        ck_assert_int_eq(unit_timeout_usec(u, &due), 0);
        ck_assert_uint_eq(due, 0);
        ck_assert_int_eq(unit_process(u, now), 0);
        ck_assert_uint_eq(counts[UNIT_DISCONNECTED], 1);
        ck_assert(!unit_connected(u));
        uint64_t step = 100000;
        for (int i = 0; i < 10; i++) {
                ck_assert_uint_eq(unit_reconnect_usec(u), now + step);
                ck_assert_int_eq(unit_process(u, now + step - 1), 0);
                ck_assert_uint_eq(unit_reconnect_usec(u), now + step);
                now += step;
                ck_assert_int_eq(unit_process(u, now), 0);
                step = step * 2 < 5000000 ? step * 2 : 5000000;
        }
        ck_assert_uint_eq(counts[UNIT_DISCONNECTED], 1);
        ck_assert_uint_eq(counts[UNIT_CONNECTED] + counts[UNIT_CHANGED], 0);
        struct unit_state st;
        ck_assert_int_lt(unit_read("x.service", &st), 0);
        unit_close(u);
        ck_assert_int_eq(unit_open(&u, "no-dot", count_event, counts), -EINVAL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit_props");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_parse_fields);
        tcase_add_test(tc, test_verdicts);
        tcase_add_test(tc, test_oom_kill);
        tcase_add_test(tc, test_other_verdicts);
        tcase_add_test(tc, test_parse_hostile);
        tcase_add_test(tc, test_parse_memory);
        tcase_add_test(tc, test_truncation);
        tcase_add_test(tc, test_equal);
        tcase_add_test(tc, test_no_bus_backoff);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
