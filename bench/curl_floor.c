// The least libcurl spends per delivery on this machine: REQUESTS POSTs of a webhook-sized
// JSON body with Sluice's eight headers to one URL, CONCURRENCY transfers in flight on one multi
// handle (curl_multi_perform + curl_multi_poll, as Sluice's engine drives it), connections and
// easy handles reused, and nothing else: no Redis, no signing, no Swift. Prints CPU (user+sys)
// per request, which is the floor under the worker's CPU per delivery.
//
// Driving the same transfers socket by socket (curl_multi_socket_action + epoll) measured
// 23.3 µs per request at 80 in flight and 35 µs at 640 here, against 18.5 and 29 µs this way:
// each change of a socket's interest is an epoll_ctl of its own.
//
//   cc -O2 -o curl_floor bench/curl_floor.c -lcurl && ./curl_floor URL REQUESTS CONCURRENCY
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static size_t discard(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s URL REQUESTS CONCURRENCY\n", argv[0]); return 2; }
    const char *url = argv[1];
    long total = atol(argv[2]), concurrency = atol(argv[3]);
    static const char body[] = "{\"type\":\"batch.succeeded\",\"data\":{\"batch\":\"batches/1\"}}";
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    const char *names[] = {
        "content-type: application/json", "webhook-id: msg_floor", "webhook-timestamp: 1764000000",
        "webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=", "user-agent: sluice/floor",
        "x-sluice-attempt: 1", "x-sluice-event-type: batch.succeeded", "x-sluice-source: gemini",
    };
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) headers = curl_slist_append(headers, names[i]);
    long started = 0, done = 0, failed = 0;
    for (long i = 0; i < concurrency && started < total; i++, started++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(multi, e);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int running = 0, ready = 0;
    while (done < total) {
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left = 0;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            long code = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
            if (msg->data.result != CURLE_OK || code != 200) failed++;
            done++;
            curl_multi_remove_handle(multi, e);
            if (started < total) {
                started++;
                curl_multi_add_handle(multi, e);
            }
        }
        if (done < total) curl_multi_poll(multi, NULL, 0, 1000, &ready);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("requests\t%ld\nfailed\t%ld\nconcurrency\t%ld\nreq_per_s\t%.0f\ncpu_us\t%.1f\nuser_us\t%.1f\n",
           total, failed, concurrency, total / wall, (user + sys) * 1e6 / total, user * 1e6 / total);
    return failed ? 1 : 0;
}
