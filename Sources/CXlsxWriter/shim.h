#ifndef FIVEHOURS_CXLSXWRITER_SHIM_H
#define FIVEHOURS_CXLSXWRITER_SHIM_H
// libxlsxwriter (libxlsxwriter-dev): the .xlsx workbooks' structure and header rows. Only the
// plain cell writer is used (worksheet_write_string; the tests' reference also _number); no
// printf-style API ever sees a campaign's text.
#include <xlsxwriter.h>
#endif
