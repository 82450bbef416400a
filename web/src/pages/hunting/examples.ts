// Built-in example queries: something to start from on an empty install. Tables and columns
// are those of the Vigil hunting schema (schema/hunting_tables.schema).
export interface ExampleQuery {
  id: string;
  name: string;
  description: string;
  query: string;
}

export const EXAMPLE_QUERIES: ExampleQuery[] = [
  {
    id: 'process-volume',
    name: 'Process creations per day',
    description: 'Volume of process events over time, drawn as a time chart.',
    query: `DeviceProcessEvents
| where Timestamp > ago(30d)
| summarize Processes = count() by bin(Timestamp, 1d)
| render timechart`,
  },
  {
    id: 'encoded-powershell',
    name: 'Encoded PowerShell commands',
    description: 'PowerShell started with an encoded command, and what launched it.',
    query: `DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName in~ ("powershell.exe", "pwsh.exe")
| where ProcessCommandLine has_any ("-enc", "-encodedcommand", "FromBase64String")
| project Timestamp, DeviceName, AccountName, InitiatingProcessFileName, ProcessCommandLine, ReportId
| order by Timestamp desc`,
  },
  {
    id: 'office-child-processes',
    name: 'Office applications spawning shells',
    description: 'Word, Excel or Outlook starting a command interpreter or script host.',
    query: `DeviceProcessEvents
| where Timestamp > ago(7d)
| where InitiatingProcessFileName in~ ("winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe")
| where FileName in~ ("cmd.exe", "powershell.exe", "wscript.exe", "cscript.exe", "mshta.exe", "rundll32.exe")
| project Timestamp, DeviceName, AccountName, InitiatingProcessFileName, FileName, ProcessCommandLine, ReportId`,
  },
  {
    id: 'failed-logons',
    name: 'Failed logons by account',
    description: 'Accounts with the most failed logons on devices, as a bar chart.',
    query: `DeviceLogonEvents
| where Timestamp > ago(30d)
| where ActionType == "LogonFailed"
| summarize Failures = count() by AccountName
| top 15 by Failures
| render barchart`,
  },
  {
    id: 'rare-remote-ports',
    name: 'Connections to uncommon ports',
    description: 'Outbound connections to remote ports seen on few devices.',
    query: `DeviceNetworkEvents
| where Timestamp > ago(7d)
| where ActionType == "ConnectionSuccess" and RemoteIPType == "Public"
| summarize Devices = dcount(DeviceId), Connections = count() by RemotePort
| order by Devices asc, Connections desc`,
  },
  {
    id: 'phishing-clicks',
    name: 'Clicked URLs in mail',
    description: 'Mail links users clicked through, with the message they came from.',
    query: `UrlClickEvents
| where Timestamp > ago(30d)
| where IsClickedThrough == true
| join kind=leftouter (EmailEvents | project NetworkMessageId, Subject, SenderFromAddress) on NetworkMessageId
| project Timestamp, AccountUpn, Url, Subject, SenderFromAddress, ReportId`,
  },
  {
    id: 'alerts-by-category',
    name: 'Alerts by category',
    description: 'Alert counts per category over the last 30 days, as a pie chart.',
    query: `AlertInfo
| where Timestamp > ago(30d)
| summarize Alerts = count() by Category
| render piechart`,
  },
  {
    id: 'cloud-app-downloads',
    name: 'Cloud app downloads per account',
    description: 'Accounts downloading the most files from cloud apps, per day.',
    query: `CloudAppEvents
| where Timestamp > ago(30d)
| where ActionType == "FileDownloaded"
| summarize Downloads = count() by bin(Timestamp, 1d), AccountDisplayName
| render columnchart`,
  },
];
