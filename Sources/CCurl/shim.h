#ifndef SLUICE_CCURL_SHIM_H
#define SLUICE_CCURL_SHIM_H
// curl's setopt/getinfo are variadic, which Swift cannot call: one typed wrapper per argument kind.
#include <curl/curl.h>
#ifdef __linux__
/* The engine waits on curl's sockets with epoll and is woken through an eventfd; Swift's Glibc
   module does not export these headers. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

typedef size_t (*sluice_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*sluice_curl_prereq_cb)(void *clientp, char *primary_ip, char *local_ip, int primary_port, int local_port);

static inline CURLcode sluice_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sluice_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sluice_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sluice_easy_setopt_write_cb(CURL *h, CURLoption o, sluice_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sluice_easy_setopt_prereq_cb(CURL *h, sluice_curl_prereq_cb v) { return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, v); }
static inline CURLcode sluice_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode sluice_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode sluice_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode sluice_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode sluice_multi_setopt_ptr(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode sluice_multi_setopt_socket_cb(CURLM *m, curl_socket_callback v) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, v); }
static inline CURLMcode sluice_multi_setopt_timer_cb(CURLM *m, curl_multi_timer_callback v) { return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, v); }
/* A macro built on a macro that Swift does not import: the socket argument that means "timers only". */
static const curl_socket_t sluice_socket_timeout = CURL_SOCKET_TIMEOUT;

#endif
