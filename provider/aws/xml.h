/*
 * xml.h - the text of one element of a small, flat XML document: what the
 * provider needs from STS's query-protocol answers (AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration, Arn, Account, Code, Message).
 */
#ifndef SSMPATCH_AWS_XML_H
#define SSMPATCH_AWS_XML_H

/*
 * The text of the first <elem> (or <elem attr...>) in xml, up to the first
 * </elem>: the five predefined entities and &#N; / &#xN; references decoded,
 * surrounding whitespace trimmed; "" for <elem/>. malloc'd, or NULL when the
 * element is absent or unterminated. elem is 1 to 60 characters. No nesting,
 * CDATA, comments or namespaces prefixes are understood: STS's answers use
 * none around the elements read.
 */
char *aws_xml_text(const char *xml, const char *elem);

#endif
