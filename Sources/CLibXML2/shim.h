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

static void fivehours_xml_ignore(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

/// Keeps libxml2 from printing to stderr on the calling thread (and on threads started after):
/// its encoding layer reports a bad byte through the generic error function even with
/// XML_PARSE_NOERROR, which `--quiet` and the reject's own message should be the only voice of.
/// The parser's errors are still recorded on its context, where the reader takes them.
static inline void fivehours_xml_silence(void) {
    xmlSetGenericErrorFunc(NULL, fivehours_xml_ignore);
    xmlThrDefSetGenericErrorFunc(NULL, fivehours_xml_ignore);
}
#endif
