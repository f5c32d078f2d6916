#ifndef FIVEHOURS_CLIBXML2_SHIM_H
#define FIVEHOURS_CLIBXML2_SHIM_H
// libxml2's headers pull in ICU's when LIBXML_ICU_ENABLED is set, and ICU's UErrorCode then
// clashes with Foundation's copy in a clean build. Read the version header first and turn it off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/parserInternals.h>
#include <iconv.h>

/// `xmlFree` is a global function pointer; Swift 6 rejects it as shared mutable state.
static inline void fivehours_xmlFree(void *p) { xmlFree(p); }
#endif
