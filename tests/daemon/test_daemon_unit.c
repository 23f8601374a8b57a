/* The daemon following a pool's systemd unit, against the real manager and system bus that
 * tests/systemd/sdenv.sh runs (with its php-fpm unit). Run it as:
 *   tests/systemd/sdenv.sh run DIR -- test_daemon_unit */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"

#define FPM_UNIT "bgw-php-fpm.service"

static char dir[128];

static int systemctl(const char *verb) {
        const char *bin = getenv("SDENV_BIN");
        char cmd[512];
        ck_assert_msg(bin, "SDENV_BIN unset: run under tests/systemd/sdenv.sh run DIR -- …");
        snprintf(cmd, sizeof(cmd), "'%s/systemctl' %s " FPM_UNIT, bin, verb);
        return system(cmd);
}

static const char *write_config(void) {
        static char conf[256];
        char text[2048], log[256];
        const char *sd = getenv("SDENV_DIR");
        ck_assert_ptr_nonnull(sd);
        snprintf(conf, sizeof(conf), "%s/bgw.conf", dir);
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = 200ms\nProbeTimeout = 500ms\nResolveAfter = 1s\n"
                 "[Nginx]\nErrorLog = %s/error.log\n"
                 "[Pool www]\nListen = %s/php-fpm/php-fpm.sock\nUnit = " FPM_UNIT "\nLog = %s/php-fpm/error.log\n"
                 "[Metrics]\nTextfileDirectory = %s\n",
                 dir, sd, sd, dir);
        write_file(conf, text);
        snprintf(log, sizeof(log), "%s/error.log", dir);
        append_file(log, "", 0);        /* a log check cannot read would make it a warning */
        return conf;
}

static const char *unit_field(json_t *alert, const char *key) {
        json_t *unit = json_object_get(json_object_get(alert, "evidence"), "unit");
        return json_string_value(json_object_get(unit, key));
}

/* The textfile the daemon writes every ProbeInterval holds line, within ms. */
static bool textfile_says(const char *line, int ms) {
        char path[256], text[16384];
        snprintf(path, sizeof(path), "%s/badgatewayd.prom", dir);
        for (long long until = harness_now_ms() + harness_ms(ms); harness_now_ms() < until; usleep(50000)) {
                FILE *f = fopen(path, "re");
                size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
                if (f)
                        fclose(f);
                text[n] = '\0';
                if (strstr(text, line))
                        return true;
        }
        return false;
}

START_TEST(test_unit_stop_start) {
        struct bgw b;
        fixture_newdir(dir);
        chmod(dir, 0755);
        ck_assert_int_eq(systemctl("start"), 0);
        const char *conf = write_config();
        const char *args[] = { "run", "--config", conf, "--stdout", NULL };
        bgw_start(&b, dir, args, NULL);
        ck_assert_msg(bgw_wait_note(&b, 0, "READY=1", 5000) >= 0, "no READY=1: %s", b.err ? b.err : "");

        long long t0 = harness_now_ms();
        ck_assert_int_eq(systemctl("stop"), 0);
        int fired = bgw_wait_alert(&b, 0, "fpm_down", "firing", 2000);
        ck_assert_msg(fired >= 0, "no fpm_down; stdout: %s stderr: %s", b.out, b.err);
        fprintf(stderr, "systemctl stop -> fpm_down firing: %lld ms\n", harness_now_ms() - t0);
        json_t *a = json_array_get(b.alerts, (size_t) fired);
        ck_assert_str_eq(json_string_value(json_object_get(a, "unit")), FPM_UNIT);
        ck_assert_str_eq(unit_field(a, "load_state"), "loaded");

        t0 = harness_now_ms();
        ck_assert_int_eq(systemctl("start"), 0);
        int resolved = bgw_wait_alert(&b, (size_t) fired + 1, "fpm_down", "resolved", 5000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s", b.out);
        fprintf(stderr, "systemctl start -> fpm_down resolved: %lld ms\n", harness_now_ms() - t0);
        /* the socket answers a moment before php-fpm's READY=1 makes the unit active */
        const char *state = unit_field(json_array_get(b.alerts, (size_t) resolved), "active_state");
        ck_assert_msg(state && strncmp(state, "activ", 5) == 0, "active_state: %s", state);
        /* the unit's NRestarts, as the metrics say it: stopped and started by hand, no restart */
        ck_assert_msg(textfile_says("\nbadgatewayd_unit_restarts_total{pool=\"www\",unit=\"" FPM_UNIT "\"} 0\n", 3000),
                      "no badgatewayd_unit_restarts_total in %s/badgatewayd.prom", dir);

        ck_assert_int_eq(bgw_stop(&b), 0);
        ck_assert_msg(!strstr(b.err, "no system bus"), "%s", b.err);
        bgw_free(&b);
}
END_TEST

START_TEST(test_check_reads_unit) {
        char *out, *err;
        fixture_newdir(dir);
        ck_assert_int_eq(systemctl("start"), 0);
        const char *args[] = { "check", "--config", write_config(), NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 0);
        free(out);
        free(err);
        ck_assert_int_eq(systemctl("stop"), 0);
        const char *json[] = { "check", "--config", write_config(), "--json", NULL };
        ck_assert_int_eq(bgw_run(json, &out, &err), 2);
        ck_assert_msg(strstr(out, "\"unit\":{\"load_state\":\"loaded\",\"active_state\":\"inactive\""), "%s", out);
        free(out);
        free(err);
        ck_assert_int_eq(systemctl("start"), 0);
}
END_TEST

int main(void) {
        if (!getenv("SDENV_BIN")) {
                printf("skipped: run under tests/systemd/sdenv.sh\n");
                return 77;
        }
        Suite *s = suite_create("daemon_unit");
        TCase *tc = tcase_create("unit");
        tcase_add_unchecked_fixture(tc, harness_setup, harness_teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_unit_stop_start);
        tcase_add_test(tc, test_check_reads_unit);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
