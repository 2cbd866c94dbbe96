"""The "Sending configurations" pages: what a filter product wants allowlisted, how a blocklist delists.

Written in our own words from ``shared/sending-configurations.md`` (§2 per product, §4 per
list, §5 authentication); each page keeps that document's source keys. The pages are keyed
by the slugs of ``bounceportal.classifier.names`` (PRODUCTS, BLOCKLISTS), so every product
or list the classifier names has its page. Where the document found no vendor source, the
page says so instead of guessing.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bounceportal.classifier.names import BLOCKLISTS, PRODUCTS

ALLOWLIST_NARROWLY = _(
    "Allowlist your sending servers' IP addresses, as narrowly as the product allows, and never a "
    "whole sender domain: anyone can put your domain in a From line."
)


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str
    kind: str  # "provider", "filter" or "blocklist"
    summary: str | Promise  # summary and steps are translated lazily; title (a product name) and sources are not
    steps: tuple[str | Promise, ...]
    sources: str


def _page(name: str, summary: str | Promise, steps: tuple[str | Promise, ...], sources: str) -> GuidePage:
    if name in PRODUCTS:
        slug, kind = PRODUCTS[name]
    else:
        slug, kind = BLOCKLISTS[name], "blocklist"
    return GuidePage(slug, name, kind, summary, steps, sources)


_PAGES = [
    _page(
        "Microsoft 365 / Exchange Online",
        _(
            "Exchange Online Protection and Defender for Office 365 filter the mail of Microsoft 365 tenants. "
            "For a phishing simulation Microsoft has a dedicated setting; the older workarounds are discouraged."
        ),
        (
            _(
                "In the Microsoft Defender portal open Email & Collaboration › Policies & Rules › Threat policies › "
                "Advanced delivery, tab Phishing simulation (security.microsoft.com/advanceddelivery)."
            ),
            _(
                "Add your sending domain (the envelope MAIL FROM domain or the DKIM d= domain; up to 50) and your "
                "sending IPs (up to 10, single, range or CIDR). A message must match one domain and one IP."
            ),
            _(
                "Links in simulation emails are allowed automatically; the URL field is only for simulations "
                "outside email (Teams, Office files)."
            ),
            _(
                "Filters, ZAP and alerts then leave the simulation alone and mark it as a Phishing simulation "
                "override; malware filtering still runs, and Safe Links still wraps the links."
            ),
            _(
                "If the tenant's MX is not Microsoft 365 (a gateway in front), the IP Microsoft sees must still "
                "match: Enhanced Filtering for Connectors; never add the gateway's own IPs instead."
            ),
            _("Do not use a transport rule that sets SCL -1 for simulations: Microsoft advises against it."),
            _("Refused as a 'banned sending IP' (5.7.606–649)? See the Microsoft block list page."),
        ),
        "M1 M2 M3 M4 M5",
    ),
    _page(
        "Outlook.com",
        _(
            "Outlook.com and Hotmail are Microsoft's consumer mailboxes: there is no allowlist a sender can ask for, "
            "only its reputation and authentication."
        ),
        (
            _(
                "A reply with S3150 or S3140 means part of your network is on Outlook.com's block list: ask for "
                "removal through Microsoft's sender support form."
            ),
            _(
                "5.7.515 means your domain does not meet Outlook.com's authentication level for senders of more "
                "than 5,000 messages a day: SPF and DKIM must pass and DMARC (at least p=none) must pass aligned."
            ),
            _(
                "4.7.650 means you are rate limited because of your IP's reputation: slow down and send only to "
                "people who expect the mail."
            ),
        ),
        "M6 M7 M8",
    ),
    _page(
        "Google Workspace / Gmail",
        _(
            "Google documents no setting made for phishing simulations; Workspace admins use the general "
            "allowlists. Consumer Gmail applies its bulk-sender rules."
        ),
        (
            _(
                "Admin console › Apps › Google Workspace › Gmail › Spam, Phishing and Malware › Email allowlist: "
                "your sending IPs (top-level organization only). It skips the spam label; warning banners may stay."
            ),
            _(
                "Spam › approved senders matches the header From, not the envelope; DMARC can still block and "
                "virus checks still apply."
            ),
            _(
                "Inbound gateway: only for a filter in front of Gmail. Gmail then skips SPF and DMARC for those "
                "IPs, so list only the vendor's IPs, never broad ranges."
            ),
            _(
                "Replies 550 5.7.26 (unauthenticated / DMARC) and 421 4.7.28 (unusual rate) are about your "
                "sending: see the SPF, DKIM and DMARC page."
            ),
        ),
        "G1 G2 G3 G4 G5 G6 K2 K3",
    ),
    _page(
        "Yahoo / AOL",
        _("Yahoo and AOL mailboxes apply bulk-sender rules; there is no allowlist to ask for."),
        (
            _(
                "Codes in brackets such as [TSS04] are Yahoo's deferrals for unexpected volume or complaints: "
                "slow down and retry; Yahoo's postmaster pages list the codes."
            ),
            _(
                "Bulk senders need SPF and DKIM, DMARC at least p=none with alignment, and one-click unsubscribe "
                "(a third-party summary: Yahoo's own page was not read)."
            ),
        ),
        "Y1 Y2 M8",
    ),
    _page(
        "Apple iCloud",
        _(
            "iCloud mail is recognized by its mx*.mail.icloud.com servers. Our sources hold no Apple guidance: "
            "treat it like the other consumer mailboxes (authentication and reputation, no allowlist)."
        ),
        (_("Check your SPF, DKIM and DMARC (see that page) and your sending IP's reputation on the blocklists."),),
        "UNVERIFIED: not in sending-configurations.md",
    ),
    _page(
        "Proofpoint",
        _("Proofpoint Protection Server / on Demand filters for many enterprises (MX mx0a/mx0b-….pphosted.com)."),
        (
            _(
                "Proofpoint's own awareness guide: System › Policy Routes, a new route with the condition "
                "Sender IP Address Equals your IPs; add it under Email Protection › Spam Detection › Settings › "
                "General › Disable Processing for Selected Policy Routes; exclude it from the anti-spoofing rule "
                "(Email Firewall › Rules)."
            ),
            _(
                "Alternatively (third party): Spam Detection › Organizational Safe List, filter type Sender "
                "Hostname, Equals, your IPs; disable Reputation Service and Attachment Defense for the route."
            ),
            _(
                "URL Defense rewrites links: add your landing and link domains under Targeted Attack Protection › "
                "URL Defense › URL Rewrite Policies › Exceptions."
            ),
            _("Safelist at every filter in the path (e.g. Microsoft 365 and Proofpoint), only your region's IPs."),
            _("'Blocked - see ipcheck.proofpoint.com': see the Proofpoint PDR page."),
        ),
        "P2 P4 P5 X1",
    ),
    _page(
        "Proofpoint Essentials",
        _("Proofpoint's product for smaller organizations (MX mx1-us1.ppe-hosted.com and similar)."),
        (
            _(
                "Security Settings › Email › Sender Lists › Safe Senders (third party); some vendors prefer "
                "direct SMTP delivery to the mailbox service instead."
            ),
            _("Reputation blocks name ipcheck.proofpoint.com: see the Proofpoint PDR page."),
        ),
        "P3 P4 I1",
    ),
    _page(
        "Mimecast",
        _("Mimecast's gateway (hosts *.mimecast.com) keeps its settings under Administration › Gateway › Policies."),
        (
            _(
                "Permitted Senders: a new policy (do not edit the default), Permit Sender, your IPs as Source IP "
                "Ranges (/32 for one IP). It bypasses spam scanning, greylisting and IP reputation, not virus "
                "checks, anti-spoofing or content examination; Blocked Senders always win."
            ),
            _(
                "Impersonation Protection Bypass and URL Protection Bypass (or your landing domains as Managed URLs) "
                "stop the rewriting and impersonation checks."
            ),
            _("Vendors also list Anti-Spoofing 'Take no action' for your IP ranges and Attachment Protection Bypass."),
            _(
                "'Envelope blocked' or 'Poor Reputation Sender': ask the recipient's Mimecast admin, or use "
                "Mimecast's sender feedback form (community.mimecast.com/s/sender-feedback)."
            ),
        ),
        "MC1 MC2 MC3 MC4 MC5",
    ),
    _page(
        "Barracuda",
        _("Barracuda Email Gateway Defense (MX <id>.ess.barracudanetworks.com) or the on-site appliance."),
        (
            _("By IP: Inbound Settings › IP Address Policies › Exempt, netmask 255.255.255.255 per IP."),
            _(
                "By sender: Inbound Settings › Sender Policies › Exempt skips spam scoring, Intent Analysis and "
                "content filters (virus scanning and rate control still apply); for SPF also add the IP under "
                "Sender Authentication › SPF Exemptions."
            ),
            _("Links: Intent Domain Policies › Ignore for your link domain also stops link rewriting."),
            _("Appliance: BLOCK/ACCEPT › IP Filters; the global Sender Spoof Protection overrides per-user lists."),
            _("'is in a black list at b.barracudacentral.org': see the Barracuda BRBL page."),
        ),
        "B1 B2 B3 B4 B6",
    ),
    _page(
        "Cisco Secure Email",
        _("Cisco Secure Email (IronPort; hosts *.iphmx.com) decides by sender groups and Talos reputation."),
        (
            _(
                "Mail Policies › HAT Overview › Add Sender Group with your IPs and a trusted policy, above the "
                "block-list group; a message filter is still needed for Outbreak and other engines."
            ),
            _("Cisco never allowlists simulation vendors globally: add your IPs locally, only while testing."),
            _("'SBRS score too low': see the Cisco Talos page."),
        ),
        "CI1 CI2 CI3 CI4 LP1",
    ),
    _page(
        "Sophos Email",
        _("Sophos Email (Central; hosts *.prod.hydra.sophos.com)."),
        (
            _(
                "An allow-list entry (envelope or From) with Enforce Sender Authentication skips the anti-spam, "
                "impersonation and content scans only when SPF, DKIM or DMARC passes; malware scanning always runs."
            ),
            _("Sophos Phish Threat keeps its own IPs and domains under Phish Threat › Settings."),
            _("On-site appliance: Configuration › Policy › Allow Lists, plus the whitelisted URLs for time-of-click."),
            _("'Client host is blacklisted … sophos.com/…/ip-lookup': look your IP up there."),
        ),
        "SO1 SO2 SO3 SO4",
    ),
    _page(
        "Trend Micro Email Security",
        _("Trend Micro Email Security (hosts *.tmes.trendmicro.com, *.hes.trendmicro.com)."),
        (
            _(
                "Inbound Protection › Connection Filtering › Sender Filter › Approved Senders; per policy, "
                "Recipients and Senders › Exceptions."
            ),
            _("'blocked by Trend Micro Email Reputation Service': see the Trend Micro ERS page."),
        ),
        "T1 T3 T4",
    ),
    _page(
        "Symantec Email Security.cloud",
        _("Broadcom's (Symantec's) Email Security.cloud, formerly MessageLabs (hosts *.messagelabs.com)."),
        (
            _(
                "The recipient's admin adds you in ClientNet › Services › Email Services › Anti-Spam › List "
                "Management (approved senders); refused senders are told to ask for it."
            ),
            _("An IP allowlist or link-scan exclusion: no vendor source found."),
            _(
                "A blocked IP: the IP Reputation Investigation Tool (ipremoval.sms.symantec.com); traffic shaping "
                "throttles, and the reputation resets once the spam stops."
            ),
        ),
        "SY1 SY3 SY4 SY5",
    ),
    _page(
        "Forcepoint Email Security",
        _("Forcepoint's cloud email security (relays cluster-*.mailcontrol.com, seen in headers only)."),
        (
            _(
                "Antispam tab › 'Whitelist these addresses' (email, domain or IP; no wildcards for IPs); overrides "
                "per user, group or domain as Antispam exceptions."
            ),
            _("The URL sandbox has recipient-specific settings. A guide made for simulations: none found."),
        ),
        "F1 F2",
    ),
    _page(
        "FortiMail",
        _("Fortinet's FortiMail gateway (its cloud host names are not verified)."),
        (
            _(
                "System Safe List (AntiSpam › Block/Safe List › System, or Security › Block/Safe List in newer "
                "versions); broad entries bypass other anti-spam scans, so keep them narrow."
            ),
            _("Per-feature bypass: clone the AntiSpam profile and the recipient policy for your sender."),
        ),
        "FO1 FO2 FO3 FO4",
    ),
    _page(
        "Hornetsecurity",
        _("Hornetsecurity (MX mx01–mx04.hornetsecurity.com)."),
        (
            _(
                "Control Panel › Black/Whitelist matches the header From (not the envelope) and only fixes spam "
                "verdicts; content, threat or rejected mail needs a Compliance Filter rule (third party)."
            ),
        ),
        "H1",
    ),
    _page(
        "Spamhaus ZEN",
        _(
            "ZEN is Spamhaus's combined zone: a listing there is really one of SBL (with CSS), XBL or PBL. The "
            "return code or the lookup says which."
        ),
        (_("Look your sending IP up in Spamhaus's Blocklist Removal Center: it names the list and the way out."),),
        "SH1 X1",
    ),
    _page(
        "Spamhaus SBL",
        _("SBL lists verified spam sources and operations (return code 127.0.0.2); it is kept by hand."),
        (_("Removal is a manual request with evidence that the problem is fixed (third party)."),),
        "SH1 SH6",
    ),
    _page(
        "Spamhaus CSS",
        _(
            "CSS (part of SBL, 127.0.0.3) lists low-reputation or 'snowshoe' senders, single IPv4 addresses or IPv6 /64s."
        ),
        (_("Records expire by themselves after 3 days unless seen again; fast self-removal exists, within limits."),),
        "SH2",
    ),
    _page(
        "Spamhaus XBL",
        _("XBL lists hijacked or exploited hosts (127.0.0.4–8): a machine on your network may be infected."),
        (_("Fix the host first; the listing expires once the bad traffic stops (third party)."),),
        "SH1 SH6",
    ),
    _page(
        "Spamhaus PBL",
        _("PBL lists end-user and dynamic ranges by policy (127.0.0.10–11); it does not mean you spammed."),
        (_("Use PBL Self-Service IP Removal, only for a static IP with proper reverse DNS."),),
        "SH4",
    ),
    _page(
        "Spamhaus DBL",
        _("DBL lists domains (in links, HELO, From or reverse DNS), not IPs: a domain in your message is listed."),
        (_("Spamhaus offers a monitored, automated self-service removal."),),
        "SH3",
    ),
    _page(
        "Barracuda BRBL",
        _("Barracuda's reputation system lists IPs automatically (b.barracudacentral.org)."),
        (
            _(
                "Look the IP up at Barracuda Central, then file one removal request "
                "(barracudacentral.org/rbl/removal-request); allow 12–24 hours; it relists if the cause remains."
            ),
        ),
        "BR1 BR2 BR3 BR4",
    ),
    _page(
        "SpamCop",
        _("SpamCop lists IPs that sent mail people reported (spamcop.net/bl.shtml?<ip>)."),
        (_("No appeal is needed: every listing expires 24 hours after the last report."),),
        "SC1 SC2",
    ),
    _page(
        "SORBS",
        _("SORBS was shut down by Proofpoint on 5 June 2024 and its zones emptied."),
        (_("A reply that still names SORBS comes from a stale filter configuration: tell the recipient's admin."),),
        "SR1",
    ),
    _page(
        "UCEPROTECT",
        _(
            "Level 1 lists single IPs, level 2 the allocation around them when level-1 listings grow within 7 days, "
            "level 3 a whole network (ASN)."
        ),
        (_("Listings go away by themselves once the spam stops; a paid express delisting exists for some levels."),),
        "U1 U2",
    ),
    _page(
        "Invaluement",
        _("Invaluement runs ivmSIP (IPs), ivmSIP/24 (ranges) and ivmURI (domains)."),
        (_("Use its Delist Requests page or lookup form."),),
        "IV1",
    ),
    _page(
        "Cloudmark CSI",
        _("Cloudmark's CSI is a reputation service (CSI-Global), not a blocklist."),
        (
            _(
                "Use the CSI IP Reputation Remediation Portal: statistics are reset; the first request is usually "
                "honoured within about one business day."
            ),
        ),
        "CM1",
    ),
    _page(
        "Microsoft block list",
        _(
            "Microsoft blocked your sending IP or sender: EOP replies 5.7.606–649 'banned sending IP' or 5.7.511 "
            "'banned sender'; Outlook.com replies S3150 / S3140."
        ),
        (
            _("EOP: the Office 365 Anti-Spam IP Delist Portal (sender.office.com)."),
            _("5.7.511: write to delist@microsoft.com."),
            _("Outlook.com: Microsoft's sender support form."),
        ),
        "M5 M7",
    ),
    _page(
        "Proofpoint PDR",
        _(
            "Proofpoint Dynamic Reputation rates IPs that send spam: a delay clears itself in minutes, persistent "
            "spam turns into a block until it stops."
        ),
        (
            _(
                "Check the IP with PDR IP Lookup (ipcheck.proofpoint.com) and file a PDR Removal Request naming a "
                "recipient, the kind of mail and what you fixed."
            ),
        ),
        "P1 P3",
    ),
    _page(
        "Cisco Talos",
        _(
            "Talos (SenderBase) scores sender IPs from -10 to +10 (Good / Neutral / Poor); Cisco Secure Email "
            "refuses 'SBRS score too low'."
        ),
        (
            _(
                "Open a Sender IP (or Sender Domain) Reputation ticket at talosintelligence.com › Support (Cisco account)."
            ),
        ),
        "CI3 CI4",
    ),
    _page(
        "Trend Micro ERS",
        _("Trend Micro's Email Reputation Services (RBL+) list IPs."),
        (_("Only the owner of the IP space can ask for removal, after closing any open relay."),),
        "T2 T3",
    ),
]
PAGES: dict[str, GuidePage] = {page.slug: page for page in _PAGES}


def page_for_name(name: str) -> GuidePage | None:
    """The guidance page of a product or list name as the classifier stores it, if we have one."""
    slug = PRODUCTS[name][0] if name in PRODUCTS else BLOCKLISTS.get(name, "")
    return PAGES.get(slug)


def dns_records(domain: str) -> list[tuple[str, str, str, str | Promise]]:
    """(what, DNS name, record, note) for SPF, DKIM and DMARC of ``domain`` (RFC 7208, 6376, 7489)."""
    return [
        (
            "SPF",
            domain,
            "v=spf1 ip4:<your sending IP> -all",
            _(
                "ip4/ip6 cost no DNS lookups; include, a, mx, ptr, exists and redirect do, and more than 10 is a "
                "permerror."
            ),
        ),
        (
            "DKIM",
            f"<selector>._domainkey.{domain}",
            "v=DKIM1; k=rsa; p=<public key>",
            _("The selector is the s= of your signatures: s=foo.bar; d=example.com is foo.bar._domainkey.example.com."),
        ),
        (
            "DMARC",
            f"_dmarc.{domain}",
            f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}",
            _(
                "Start with p=none (monitor), then quarantine or reject. Relaxed alignment (the default) needs the "
                "same organizational domain as the From line."
            ),
        ),
    ]
