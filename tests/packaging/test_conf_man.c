/* badgatewayd.conf(5) against the parser's own table (config_sections(), config_section_keys()):
 * every key of every section has its entry with a default and an example, and the page names
 * no key the parser does not know. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixtures.h"

#define PAGE "../../man/badgatewayd.conf.5"

/* The text of the page's `.SS "[SECTION]"`, up to the next .SS or .SH; NULL when absent. */
static char *section_text(const char *page, const char *section) {
        char head[96];
        snprintf(head, sizeof(head), "\n.SS \"[%s]\"\n", section);
        const char *start = strstr(page, head);
        if (!start)
                return NULL;
        start += strlen(head);
        const char *ss = strstr(start, "\n.SS "), *sh = strstr(start, "\n.SH ");
        const char *end = ss && (!sh || ss < sh) ? ss : sh ? sh : start + strlen(start);
        return strndup(start, (size_t) (end - start));
}

/* One key's entry: from its `.BI "KEY = "` tag to the next .TP; NULL when absent. */
static char *key_entry(const char *text, const char *key) {
        char tag[96];
        snprintf(tag, sizeof(tag), ".TP\n.BI \"%s = \"", key);
        const char *start = strstr(text, tag);
        if (!start)
                return NULL;
        const char *end = strstr(start + strlen(tag), "\n.TP\n");
        return strndup(start, end ? (size_t) (end - start) : strlen(start));
}

START_TEST(test_every_key_documented) {
        char *page = fixture_read(PAGE, NULL);
        int keys = 0;
        for (const char *const *s = config_sections(); *s; s++) {
                const char *const *k = config_section_keys(*s);
                ck_assert_msg(k != NULL, "section [%s] has no row in config.c's section_keys[]", *s);
                char *text = section_text(page, *s);
                ck_assert_msg(text != NULL, "badgatewayd.conf(5) has no .SS \"[%s]\"", *s);
                for (; *k; k++, keys++) {
                        char *entry = key_entry(text, *k);
                        ck_assert_msg(entry != NULL, "badgatewayd.conf(5) lacks [%s] %s (.TP then .BI \"%s = \")",
                                      *s, *k, *k);
                        char example[96];
                        snprintf(example, sizeof(example), "\nExample:\n.B %s = ", *k);
                        ck_assert_msg(strstr(entry, "\nDefault: ") != NULL, "[%s] %s: no \"Default: \"", *s, *k);
                        ck_assert_msg(strstr(entry, example) != NULL, "[%s] %s: no \"Example:\" line", *s, *k);
                        free(entry);
                }
                free(text);
        }
        ck_assert_int_gt(keys, 10);
        free(page);
}
END_TEST

static bool known_key(const char *section, const char *key, size_t n) {
        const char *const *k = config_section_keys(section);
        for (; k && *k; k++)
                if (strlen(*k) == n && strncmp(*k, key, n) == 0)
                        return true;
        return false;
}

/* The other way: a section or key on the page that the parser would refuse. */
START_TEST(test_page_names_only_known_keys) {
        char *page = fixture_read(PAGE, NULL);
        const char *options = strstr(page, "\n.SH OPTIONS\n");
        ck_assert_ptr_nonnull(options);
        const char *end = strstr(options + 1, "\n.SH ");
        char section[64] = "";
        int tags = 0;
        for (const char *l = options + 1; l && l < end; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                if (sscanf(l, ".SS \"[%63[^]]]\"", section) == 1) {
                        ck_assert_msg(config_section_keys(section) != NULL,
                                      "badgatewayd.conf(5) has [%s], which the parser does not know", section);
                        continue;
                }
                if (strncmp(l, ".BI \"", 5) != 0)
                        continue;
                const char *key = l + 5;
                size_t n = strcspn(key, " \"");
                ck_assert_msg(section[0], "a key before any section on the page");
                ck_assert_msg(known_key(section, key, n), "badgatewayd.conf(5) has [%s] %.*s, which the parser does not know",
                              section, (int) n, key);
                tags++;
        }
        ck_assert_int_gt(tags, 10);
        free(page);
}
END_TEST

/* A *_keys[] array in config.c (a new section's) that the accessor does not list. */
START_TEST(test_accessor_lists_every_key_array) {
        char *src = fixture_read("../../lib/config/config.c", NULL);
        const char *table = strstr(src, "} section_keys[] = {");
        ck_assert_ptr_nonnull(table);
        const char *table_end = strstr(table, "};");
        ck_assert_ptr_nonnull(table_end);
        int arrays = 0;
        for (const char *p = src; (p = strstr(p, "_keys[] = {")) != NULL; p++) {
                const char *name = p;
                while (name > src && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z')))
                        name--;
                char ref[64];
                snprintf(ref, sizeof(ref), " %.*s }", (int) (p - name) + 5, name);
                if (strncmp(name, "section_keys", 12) == 0)
                        continue;
                arrays++;
                const char *hit = strstr(table, ref);
                ck_assert_msg(hit && hit < table_end, "config.c's %.*s[] is not in section_keys[]", (int) (p - name) + 5, name);
        }
        ck_assert_int_ge(arrays, 4);
        free(src);
}
END_TEST

int main(void) {
        Suite *s = suite_create("conf_man");
        TCase *tc = tcase_create("page");
        tcase_add_test(tc, test_every_key_documented);
        tcase_add_test(tc, test_page_names_only_known_keys);
        tcase_add_test(tc, test_accessor_lists_every_key_array);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
