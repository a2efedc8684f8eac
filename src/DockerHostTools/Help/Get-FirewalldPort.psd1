@{
    Synopsis     = 'Lists the ports firewalld opens, one object per zone and port/protocol, with runtime and permanent side by side.'
    Description  = @'
Get-FirewalldPort returns one FirewalldPort per zone and port (or range) and protocol: Zone, Port, Protocol, Runtime
and Permanent (bools), Drift (they disagree), and Source: a Port entry of the zone, or a Service (named in Service)
whose definition lists the port. Service definitions are read from /usr/lib/firewalld/services and
/etc/firewalld/services.

Runtime only: the port closes at the next reload or restart of firewalld. Permanent only: it is not open now.
'@
    Parameters   = @{
        Zone     = 'Zone names; wildcards allowed. All zones by default.'
        Port     = 'Only entries that cover this port or range (5000, 8000-8010; 5000/udp also filters on udp).'
        Protocol = 'Only this protocol: tcp, udp, sctp or dccp. Anything else is an InvalidProtocol error.'
        Drift    = 'Only entries whose runtime and permanent configurations disagree.'
    }
    Outputs      = @{ FirewalldPort = 'One per zone and port/protocol.' }
    Examples     = @(
        @{ Code = 'Get-FirewalldPort'; Remarks = 'Every open port of every zone, runtime and permanent side by side.' }
        @{ Code = 'Get-FirewalldPort -Drift'; Remarks = 'Ports that a reload would close, or that are saved but not open now.' }
        @{ Code = 'Get-FirewalldPort -Zone public -Port 5000'; Remarks = 'Is 5000 open in public, by a port entry, a range or a service?' }
        @{ Code = 'Get-FirewalldPort -Drift | Where-Object Runtime | Add-FirewalldPort -Permanent'; Remarks = 'Makes runtime-only port entries permanent (Zone, Port and Protocol come from the pipeline).' }
    )
    Notes        = 'Stops with FirewalldNotRunning when firewalld does not run. A -Zone name without wildcards that matches no zone is an InvalidZone error (as in Get-FirewalldZone); the other zones are still listed. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Test-FirewalldPort', 'Add-FirewalldPort', 'Remove-FirewalldPort')
}
