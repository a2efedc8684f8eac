@{
    Synopsis     = 'Shows the services of a Docker host (docker, containerd, firewalld, the network managers present) and whether firewalld became active after dockerd.'
    Description  = @'
docker.service is ordered After=firewalld.service, but that orders the start at boot only: when firewalld is
restarted (or started) later, it flushes Docker's iptables rules. Get-DockerHostService reads every unit over
systemd's D-Bus API in process (the module's one system bus connection, all units at once, no process), or with one
systemctl show call where there is no system bus, and reports LoadState, ActiveState, SubState, ActiveSince,
NRestarts, After, Result, UnitFileState and InvocationId. ActiveAfterDocker compares ActiveEnterTimestampMonotonic with docker.service's: true when
the unit became active after dockerd (for firewalld: it flushed Docker's rules then), and a warning says so.

For docker.service, FirewallBackend and FirewallReloadedAt carry the engine's own report (/info FirewallBackend,
Engine API 1.48 and later) when the engine gives it.

By default it shows docker, containerd and firewalld, and network, NetworkManager and systemd-networkd when present.
'@
    Parameters   = @{
        Name   = 'The units to show; a name without a suffix means .service (docker is docker.service). From the pipeline by value or by property name (Name).'
        Socket = 'The Docker socket asked for the engine''s firewall report (default /run/docker.sock).'
    }
    Outputs      = @{ DockerHostService = 'One per unit: Name, LoadState, ActiveState, SubState, ActiveSince, ActiveEnterMonotonicUs, NRestarts, After, Result, UnitFileState, ActiveAfterDocker, FirewallBackend, FirewallReloadedAt.' }
    Examples     = @(
        @{ Code = 'Get-DockerHostService'; Remarks = 'docker, containerd, firewalld and the network managers present, and which became active after docker.' }
        @{ Code = 'Get-DockerHostService -Name firewalld | Select-Object Name, ActiveSince, ActiveAfterDocker'; Remarks = 'Did firewalld (re)start after dockerd?' }
        @{ Code = '(Get-DockerHostService -Name docker).FirewallBackend'; Remarks = 'The firewall backend dockerd reports (dockerd 28.x and later).' }
    )
    Notes        = 'Needs systemd as the init system (error SystemdNotRunning otherwise). Reading needs no root; the engine''s report needs access to the socket. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes. -Verbose lists what was read and how long each read took.'
    RelatedLinks = @('Get-DockerChain', 'Repair-DockerChain', 'about_DockerHostTools')
}
