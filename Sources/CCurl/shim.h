#ifndef SLUICE_CCURL_SHIM_H
#define SLUICE_CCURL_SHIM_H
// curl's setopt/getinfo are variadic, which Swift cannot call: one typed wrapper per argument kind.
#include <curl/curl.h>

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

#endif
