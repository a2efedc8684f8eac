@{
    Synopsis     = 'Opens a port (or range) in a firewalld zone, at runtime and permanently, without a reload; does nothing when it is already open.'
    Description  = @'
Add-FirewalldPort opens a port in a firewalld zone (the default zone unless -Zone names one) in both the runtime and the
permanent configuration, or only the one named by -Runtime or -Permanent. It runs
firewall-cmd [--permanent] --zone=Z --add-port=PORT/PROTO once per configuration and never --reload, which would
flush Docker's iptables chains.

It is idempotent: when the port is already open (a port entry or a range covering it), that configuration is left alone and -PassThru reports Changed = False.
Several ports are several items: Add-FirewalldPort 5000,5001 or 5000,5001 | Add-FirewalldPort; a bad one is an error of
its own and the others go on. Port, Protocol and Zone also come from the pipeline by property name, so objects with
Port/PublicPort and Protocol/Type properties can be piped in; an object with neither is an InputObjectNotRecognized
error naming the properties it takes.

Errors, each with nothing changed: InvalidPort (0, above 65535, a reversed range), InvalidProtocol (not tcp, udp,
sctp, dccp), ConflictingProtocol (5000/tcp -Protocol udp), InvalidZone (firewalld's INVALID_ZONE), FirewalldNotRunning, NotRoot.
'@
    Parameters   = @{
        Port      = 'The ports or ranges: 5000, 8000-8010, 5000/udp, or several (5000,5001). From the pipeline by value or by property name (also as PublicPort).'
        Protocol  = 'tcp (default), udp, sctp or dccp. From the pipeline by property name (also as Type). A port that names another protocol (5000/udp -Protocol tcp) is a ConflictingProtocol error.'
        Zone      = 'The zone. Default: firewalld''s default zone. From the pipeline by property name.'
        Runtime   = 'Change only the runtime configuration (lost at the next reload).'
        Permanent = 'Change only the permanent configuration (not in force until a reload).'
        PassThru  = 'Write one FirewalldPortChange per configuration: what changed, or that nothing had to.'
    }
    Outputs      = @{ FirewalldPortChange = 'With -PassThru: Zone, Port, Protocol, Configuration, Action, Changed, Message.' }
    Examples     = @(
        @{ Code = 'Add-FirewalldPort 5000 -WhatIf'; Remarks = 'Shows the firewall-cmd calls it would make; changes nothing.' }
        @{ Code = 'Add-FirewalldPort 5000 -Protocol tcp -Zone public -PassThru'; Remarks = 'Both configurations of zone public; reports each.' }
        @{ Code = 'Add-FirewalldPort 8000-8010/udp -Permanent'; Remarks = 'A range, permanent configuration only.' }
        @{ Code = '[pscustomobject]@{ PublicPort = 5000; Type = ''tcp'' } | Add-FirewalldPort -Confirm:$false'; Remarks = 'Port and protocol by property name from the pipeline (the shape of Docker''s published ports).' }
    )
    Notes        = 'Needs root (not for -WhatIf) and a running firewalld. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes.'
    RelatedLinks = @('Get-FirewalldPort', 'Test-FirewalldPort', 'Remove-FirewalldPort')
}
