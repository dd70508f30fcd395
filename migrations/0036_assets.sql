-- 0036_assets: the asset registry (issue 14 item 4; R-NEW-4, basic policy
-- ch. 4 §2(1), ch. 5 §2(4)).  A critical-infrastructure operator registers
-- its specified critical computers: what runs on each as CPE 2.3 names
-- (part, vendor, product, version ...), where it stands and what it does,
-- and the date of every change; the government matches them with
-- vulnerability information (item 5).  The names are picked from a bundled
-- subset of the NVD CPE dictionary or typed, and checked against the CPE
-- 2.3 formatted-string binding (NISTIR 7695 §6.2).  Who sees what:
-- policy/89_assets.sql (the operator, the coordinator and the government
-- analysts; nobody else counts or names anything).

-- R-NEW-4: s is a CPE 2.3 name in the formatted-string binding (NISTIR
-- 7695 §6.2; the regular expression of the CPE naming schema,
-- cpe-naming_2.3.xsd) that names an asset: 13 components separated by
-- unquoted colons; part a, o or h (not ANY or NA); vendor and product
-- named (not the logical values * or -); an attribute is * (ANY), - (NA)
-- or a run of A-Z a-z 0-9 . - _ and quoted punctuation (\ followed by one
-- of \ * ? ! " # $ % & ' ( ) + , / : ; < = > @ [ ] ^ ` { | } ~), with
-- unquoted * or ? only at its ends; language a tag (en, ja, en-us).  At
-- most 400 characters.  NULL for NULL.
CREATE FUNCTION council.cpe23_valid(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog
AS $f$
    SELECT length(s) <= 400 AND s ~ (
        '^cpe:2\.3:[aho]'
        || repeat(':(?:\?*|\*?)(?:[A-Za-z0-9._-]|\\[]\\*?!"#$%&''()+,/:;<=>@[^`{|}~])+(?:\?*|\*?)', 2)
        || repeat(':(?:(?:\?*|\*?)(?:[A-Za-z0-9._-]|\\[]\\*?!"#$%&''()+,/:;<=>@[^`{|}~])+(?:\?*|\*?)|[*-])', 3)
        || ':(?:[A-Za-z]{2,3}(?:-(?:[A-Za-z]{2}|[0-9]{3}))?|[*-])'
        || repeat(':(?:(?:\?*|\*?)(?:[A-Za-z0-9._-]|\\[]\\*?!"#$%&''()+,/:;<=>@[^`{|}~])+(?:\?*|\*?)|[*-])', 4)
        || '$')
       -- vendor or product NA: "-" matches the character class above
       AND s !~ '^cpe:2\.3:.:(?:(?:[^:\\]|\\.)*:)?-:'
$f$;

-- Every name of a list is valid (for a CHECK): 1 to 20 names.
CREATE FUNCTION council.cpe23_all_valid(a text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $f$
    SELECT cardinality(a) BETWEEN 1 AND 20
       AND (SELECT bool_and(coalesce(council.cpe23_valid(x), false)) FROM unnest(a) x)
$f$;

-- R-NEW-4: the picker's dictionary, a subset of the NVD CPE dictionary
-- (well-known VPN and firewall appliances, operating systems, web and
-- application servers, databases, control systems), with NVD's titles.
-- Bundled data: written by migrations only.
CREATE TABLE council.cpe_dictionary (
    cpe_name  text PRIMARY KEY CHECK (council.cpe23_valid(cpe_name)),
    title     text NOT NULL CHECK (length(title) BETWEEN 1 AND 200)
);

-- R-NEW-4: the government analyst role: the people of a national agency
-- who read every operator's registry to match it with vulnerability
-- information.  Deployment data (like incident_authorities, cymat_team).
CREATE TABLE council.asset_analysts (
    person_id   bigint PRIMARY KEY REFERENCES council.people (id),
    granted_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE council.assets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    cpes        text[] NOT NULL CHECK (council.cpe23_all_valid(cpes)),
    location    text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    role        text NOT NULL DEFAULT '' CHECK (length(role) <= 1000),
    changed_on  date NOT NULL,       -- the date of the last change, as the operator states it
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint NOT NULL REFERENCES council.people (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint NOT NULL REFERENCES council.people (id),
    deleted_at  timestamptz,
    deleted_by  bigint REFERENCES council.people (id),
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);
CREATE INDEX assets_org ON council.assets (org_id) WHERE deleted_at IS NULL;
CREATE INDEX assets_cpes ON council.assets USING gin (cpes);

-- R-NEW-4: every registration, change and deletion, with the state after
-- it and the date the operator gives for it.
CREATE TYPE council.asset_event AS ENUM ('registered', 'changed', 'deleted');
CREATE TABLE council.asset_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id     bigint NOT NULL REFERENCES council.assets (id),
    event        council.asset_event NOT NULL,
    changed_on   date NOT NULL,
    name         text NOT NULL,
    cpes         text[] NOT NULL,
    location     text NOT NULL,
    role         text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    recorded_by  bigint NOT NULL REFERENCES council.people (id)
);
CREATE INDEX asset_history_asset ON council.asset_history (asset_id);

-- The bundled dictionary subset (NVD CPE dictionary names and titles).
INSERT INTO council.cpe_dictionary (cpe_name, title) VALUES
    ('cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*', 'Fortinet FortiOS 7.2.5'),
    ('cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*', 'Fortinet FortiOS 7.4.2'),
    ('cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:*', 'Fortinet FortiGate-60F'),
    ('cpe:2.3:a:ivanti:connect_secure:22.7:r2.3:*:*:*:*:*:*', 'Ivanti Connect Secure 22.7 R2.3'),
    ('cpe:2.3:a:pulsesecure:pulse_connect_secure:9.1:r11.4:*:*:*:*:*:*', 'Pulse Secure Pulse Connect Secure 9.1 R11.4'),
    ('cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*', 'Palo Alto Networks PAN-OS 10.2.9'),
    ('cpe:2.3:o:paloaltonetworks:pan-os:11.1.2:*:*:*:*:*:*:*', 'Palo Alto Networks PAN-OS 11.1.2'),
    ('cpe:2.3:h:paloaltonetworks:pa-220:-:*:*:*:*:*:*:*', 'Palo Alto Networks PA-220'),
    ('cpe:2.3:a:cisco:adaptive_security_appliance_software:9.18.4:*:*:*:*:*:*:*', 'Cisco Adaptive Security Appliance Software 9.18.4'),
    ('cpe:2.3:h:cisco:asa_5506-x:-:*:*:*:*:*:*:*', 'Cisco ASA 5506-X'),
    ('cpe:2.3:o:cisco:ios_xe:17.9.4:*:*:*:*:*:*:*', 'Cisco IOS XE 17.9.4'),
    ('cpe:2.3:o:cisco:ios:15.9\(3\)m4:*:*:*:*:*:*:*', 'Cisco IOS 15.9(3)M4'),
    ('cpe:2.3:a:citrix:netscaler_gateway:13.1:*:*:*:*:*:*:*', 'Citrix NetScaler Gateway 13.1'),
    ('cpe:2.3:o:sonicwall:sonicos:7.0.1:*:*:*:*:*:*:*', 'SonicWall SonicOS 7.0.1'),
    ('cpe:2.3:a:f5:big-ip_access_policy_manager:17.1.0:*:*:*:*:*:*:*', 'F5 BIG-IP Access Policy Manager 17.1.0'),
    ('cpe:2.3:o:juniper:junos:22.4:r1:*:*:*:*:*:*', 'Juniper Junos OS 22.4 R1'),
    ('cpe:2.3:o:yamaha:rtx1210_firmware:14.01.42:*:*:*:*:*:*:*', 'Yamaha RTX1210 Firmware 14.01.42'),
    ('cpe:2.3:h:yamaha:rtx1210:-:*:*:*:*:*:*:*', 'Yamaha RTX1210'),
    ('cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*', 'Microsoft Windows Server 2019'),
    ('cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*', 'Microsoft Windows Server 2022'),
    ('cpe:2.3:o:microsoft:windows_10_22h2:-:*:*:*:*:*:x64:*', 'Microsoft Windows 10 22H2 for x64'),
    ('cpe:2.3:o:microsoft:windows_11_23h2:-:*:*:*:*:*:x64:*', 'Microsoft Windows 11 23H2 for x64'),
    ('cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*', 'Red Hat Enterprise Linux 8.0'),
    ('cpe:2.3:o:redhat:enterprise_linux:9.0:*:*:*:*:*:*:*', 'Red Hat Enterprise Linux 9.0'),
    ('cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*', 'Canonical Ubuntu Linux 22.04 LTS'),
    ('cpe:2.3:o:canonical:ubuntu_linux:24.04:*:*:*:lts:*:*:*', 'Canonical Ubuntu Linux 24.04 LTS'),
    ('cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*', 'Debian Linux 12.0'),
    ('cpe:2.3:o:linux:linux_kernel:6.1:*:*:*:*:*:*:*', 'Linux Kernel 6.1'),
    ('cpe:2.3:o:vmware:esxi:7.0:update3:*:*:*:*:*:*', 'VMware ESXi 7.0 Update 3'),
    ('cpe:2.3:o:vmware:esxi:8.0:-:*:*:*:*:*:*', 'VMware ESXi 8.0'),
    ('cpe:2.3:a:vmware:vcenter_server:8.0:update2:*:*:*:*:*:*', 'VMware vCenter Server 8.0 Update 2'),
    ('cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*', 'Apache Software Foundation Apache HTTP Server 2.4.58'),
    ('cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*', 'Apache Software Foundation Apache HTTP Server 2.4.62'),
    ('cpe:2.3:a:apache:tomcat:9.0.85:*:*:*:*:*:*:*', 'Apache Software Foundation Tomcat 9.0.85'),
    ('cpe:2.3:a:apache:tomcat:10.1.18:*:*:*:*:*:*:*', 'Apache Software Foundation Tomcat 10.1.18'),
    ('cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', 'F5 Nginx Open Source 1.24.0'),
    ('cpe:2.3:a:f5:nginx:1.26.1:*:*:*:open_source:*:*:*', 'F5 Nginx Open Source 1.26.1'),
    ('cpe:2.3:a:microsoft:internet_information_services:10.0:*:*:*:*:*:*:*', 'Microsoft Internet Information Services 10.0'),
    ('cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_14:*:*:*:*:*:*', 'Microsoft Exchange Server 2019 Cumulative Update 14'),
    ('cpe:2.3:a:microsoft:sharepoint_server:2019:*:*:*:*:*:*:*', 'Microsoft SharePoint Server 2019'),
    ('cpe:2.3:a:microsoft:sql_server:2019:*:*:*:*:*:x64:*', 'Microsoft SQL Server 2019 x64'),
    ('cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*', 'Microsoft .NET Framework 4.8'),
    ('cpe:2.3:a:openbsd:openssh:9.6:p1:*:*:*:*:*:*', 'OpenBSD OpenSSH 9.6 p1'),
    ('cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*', 'OpenSSL 3.0.13'),
    ('cpe:2.3:a:openssl:openssl:3.2.1:*:*:*:*:*:*:*', 'OpenSSL 3.2.1'),
    ('cpe:2.3:a:oracle:database_server:19c:*:*:*:*:*:*:*', 'Oracle Database Server 19c'),
    ('cpe:2.3:a:oracle:mysql:8.0.36:*:*:*:*:*:*:*', 'Oracle MySQL 8.0.36'),
    ('cpe:2.3:a:postgresql:postgresql:16.2:*:*:*:*:*:*:*', 'PostgreSQL 16.2'),
    ('cpe:2.3:a:isc:bind:9.18.24:*:*:*:*:*:*:*', 'ISC BIND 9.18.24'),
    ('cpe:2.3:a:atlassian:confluence_data_center:8.5.4:*:*:*:*:*:*:*', 'Atlassian Confluence Data Center 8.5.4'),
    ('cpe:2.3:a:progress:moveit_transfer:2023.0.1:*:*:*:*:*:*:*', 'Progress MOVEit Transfer 2023.0.1'),
    ('cpe:2.3:a:jenkins:jenkins:2.440:*:*:*:lts:*:*:*', 'Jenkins 2.440 LTS'),
    ('cpe:2.3:a:elastic:elasticsearch:8.12.0:*:*:*:*:*:*:*', 'Elastic Elasticsearch 8.12.0'),
    ('cpe:2.3:a:zohocorp:manageengine_adselfservice_plus:6.1:6113:*:*:*:*:*:*', 'Zoho ManageEngine ADSelfService Plus 6.1 build 6113'),
    ('cpe:2.3:a:trendmicro:apex_one:2019:*:*:*:saas:*:*:*', 'Trend Micro Apex One 2019 SaaS'),
    ('cpe:2.3:h:siemens:simatic_s7-1500:-:*:*:*:*:*:*:*', 'Siemens SIMATIC S7-1500'),
    ('cpe:2.3:o:siemens:simatic_s7-1500_cpu_firmware:3.0:*:*:*:*:*:*:*', 'Siemens SIMATIC S7-1500 CPU Firmware 3.0'),
    ('cpe:2.3:o:schneider-electric:modicon_m580_firmware:4.10:*:*:*:*:*:*:*', 'Schneider Electric Modicon M580 Firmware 4.10');

-- After the data: FORCE applies to the owner too.
ALTER TABLE council.cpe_dictionary ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.cpe_dictionary FORCE ROW LEVEL SECURITY;
ALTER TABLE council.asset_analysts ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.asset_analysts FORCE ROW LEVEL SECURITY;
ALTER TABLE council.assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.assets FORCE ROW LEVEL SECURITY;
ALTER TABLE council.asset_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.asset_history FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.cpe_dictionary, council.asset_analysts, council.assets,
    council.asset_history TO council_app, council_writer, council_definer;
GRANT INSERT ON council.assets, council.asset_history TO council_definer;
GRANT UPDATE (name, cpes, location, role, changed_on, updated_at, updated_by,
              deleted_at, deleted_by) ON council.assets TO council_definer;
