@{
    Synopsis     = 'Shows whether firewalld runs, its version and backend, the default and active zones, and every zone at runtime and permanently.'
    Description  = @'
Get-FirewalldState returns one FirewalldState: State (Running, NotRunning, Failed, NotInstalled, or Unreachable when
firewall-cmd cannot reach the system D-Bus), Version (read from firewalld's Python package, no process), Backend
(FirewallBackend in /etc/firewalld/firewalld.conf), DefaultZone, ActiveZones, Zones (runtime) and PermanentZones.

Policies lists the runtime policies (firewalld 0.9+: name, target, ingress and egress zones), among them Docker's
docker-forwarding (Docker 27+: ANY -> docker, ACCEPT), read beside the zones on the same road (policy.getPolicies and
getPolicySettings over D-Bus, else busctl, else firewall-cmd --list-all-policies); null when firewalld does not run or
has no policies.

It never fails because firewalld is absent or stopped: that is a State, and Message says what it means. When
firewalld does not run, DefaultZone comes from firewalld.conf and the zone lists are empty.

Every firewall-cmd call starts Python (0.3-0.6 s), so Get-FirewalldState reads firewalld's D-Bus API in process, over
the module's one connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket), with no
process at all: the state property first; when firewalld runs, the default zone and every zone of both configurations
(getZoneSettings2 for runtime, the config interface's getSettings2 for permanent), concurrently. ZonesReadWith says how
they were read: dbus, busctl or firewall-cmd. Where there is no system bus to connect to, the same calls go through
busctl, one process each. A configuration that D-Bus cannot give (firewalld before 0.9 has no getZoneSettings2, or a
D-Bus error) is listed with one firewall-cmd call (--list-all-zones, --permanent --list-all-zones). When firewalld is
not on the bus, or busctl is missing too, firewall-cmd --state and --get-default-zone (whose exit codes decide
NotRunning, Failed, Unreachable) run alongside the listings. No read ever starts a stopped firewalld (every D-Bus call
carries NO_AUTO_START; busctl gets --auto-start=no). DOCKERHOSTTOOLS_NO_DBUS=1 turns the in-process road off. Other
commands of the module use the same read.
'@
    Parameters   = @{}
    Outputs      = @{ FirewalldState = 'State, IsRunning, Version, Backend, DefaultZone, ActiveZones, Zones, PermanentZones, Message, ElapsedMs.' }
    Examples     = @(
        @{ Code = 'Get-FirewalldState'; Remarks = 'Is firewalld running, which backend, which zone is the default and which zones are active.' }
        @{ Code = '(Get-FirewalldState).Zones | Where-Object IsActive | Format-Table Name, Target, Interfaces, Sources, Ports'; Remarks = 'The zones that receive traffic now.' }
        @{ Code = 'if ((Get-FirewalldState).State -ne ''Running'') { ''firewalld filters nothing'' }'; Remarks = 'A runbook branch: a stopped or missing firewalld is a state, not an error.' }
        @{ Code = 'Get-FirewalldState | ConvertTo-Json -Depth 4 -EnumsAsStrings'; Remarks = 'The whole picture as JSON.' }
    )
    Notes        = 'Reading needs the system D-Bus and, on most systems, root. Run it in the network namespace of the Docker host. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Get-FirewalldZone', 'Get-FirewalldPort', 'Test-FirewalldPort', 'about_DockerHostTools')
}
