// The least libcurl spends per delivery on this machine: REQUESTS POSTs of a webhook-sized
// JSON body with Sluice's eight headers to one URL, CONCURRENCY transfers in flight on one multi
// handle driven the way Sluice's engine drives it (curl_multi_socket_action + epoll), connections
// and easy handles reused, and nothing else: no Redis, no signing, no Swift. Prints CPU
// (user+sys) per request, which is the floor under the worker's CPU per delivery.
//
//   cc -O2 -o curl_floor bench/curl_floor.c -lcurl && ./curl_floor URL REQUESTS CONCURRENCY
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

static int epfd;
static long timeout_ms = -1;

static size_t discard(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }

static int on_socket(CURL *e, curl_socket_t s, int what, void *u, void *sp) {
    (void)e; (void)u; (void)sp;
    struct epoll_event ev = {0};
    ev.data.fd = s;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev) != 0) epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int on_timer(CURLM *m, long ms, void *u) { (void)m; (void)u; timeout_ms = ms; return 0; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s URL REQUESTS CONCURRENCY\n", argv[0]); return 2; }
    const char *url = argv[1];
    long total = atol(argv[2]), concurrency = atol(argv[3]);
    static const char body[] = "{\"type\":\"batch.succeeded\",\"data\":{\"batch\":\"batches/1\"}}";
    curl_global_init(CURL_GLOBAL_ALL);
    epfd = epoll_create1(0);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
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
    int running = 0;
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    struct epoll_event events[256];
    while (done < total) {
        int n = epoll_wait(epfd, events, 256, timeout_ms < 0 ? 1000 : (int)timeout_ms);
        if (n <= 0) curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        for (int i = 0; i < n; i++) {
            int mask = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(multi, events[i].data.fd, mask, &running);
        }
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
