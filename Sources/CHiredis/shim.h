#ifndef SLUICE_CHIREDIS_H
#define SLUICE_CHIREDIS_H
#include <hiredis/hiredis.h>
#endif
