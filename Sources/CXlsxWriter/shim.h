#ifndef FIVEHOURS_CXLSXWRITER_SHIM_H
#define FIVEHOURS_CXLSXWRITER_SHIM_H
// libxlsxwriter (libxlsxwriter-dev): the .xlsx workbooks. Only the plain cell writers are used
// (worksheet_write_string / _number); no printf-style API ever sees a campaign's text.
#include <xlsxwriter.h>
#endif
