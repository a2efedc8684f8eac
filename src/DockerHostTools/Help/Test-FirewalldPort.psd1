@{
    Synopsis     = 'Tells whether a port is open at runtime and permanently in the zone the outside traffic arrives in, and why not.'
    Description  = @'
Test-FirewalldPort finds the zone of the interface (the zone that lists it; an interface bound to no zone is in the
default zone), by default the interface of the IPv4 default route, and says whether the port is open there at
runtime and in the permanent configuration, and by what: a port entry or a range that covers it, a service, or a
zone target that accepts everything (ACCEPT, as the docker and trusted zones). Message says what to do when it is
not open in both.

When firewalld does not run it filters nothing: it neither opens nor blocks the port, so IsOpen, Runtime and
Permanent are empty ($null, not False), FirewalldState says why and Message says "firewalld is not running; it
filters nothing". Several ports (5000,5001, or piped) give one result each.
'@
    Parameters   = @{
        Port      = 'The ports or ranges: 5000, 8000-8010, 5000/udp, or several (5000,5001). Taken from the pipeline by value or by property name (also as PublicPort).'
        Protocol  = 'tcp (default), udp, sctp or dccp. Taken from the pipeline by property name (also as Type). A port that names another protocol is a ConflictingProtocol error.'
        Interface = 'The interface the traffic arrives on. Default: the interface of the default route. An interface that does not exist is an InterfaceNotFound error.'
        Zone      = 'Look in this zone instead of the interface''s. A zone that does not exist is an InvalidZone error.'
    }
    Outputs      = @{ FirewalldPortTest = 'Port, Protocol, Interface, Zone, ZoneReason, Runtime, Permanent, IsOpen, RuntimeOpenBy, PermanentOpenBy, FirewalldState, Message.' }
    Examples     = @(
        @{ Code = 'Test-FirewalldPort 5000'; Remarks = 'Is 5000/tcp open where the outside traffic arrives (the default route''s interface)?' }
        @{ Code = 'Test-FirewalldPort 5000 -Interface eth1'; Remarks = 'The same for the zone of eth1.' }
        @{ Code = 'Test-FirewalldPort 8005 -Zone public'; Remarks = 'A range 8000-8010/tcp in public counts as open.' }
        @{ Code = 'Test-FirewalldPort 5000 | Where-Object { -not $_.IsOpen } | ForEach-Object Message'; Remarks = 'Prints what to do when it is not open both now and after a reload.' }
    )
    Notes        = 'Source-bound zones (sources:) are not considered when choosing the zone: traffic from such a source may land in another zone. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes. -Verbose lists what was read and how long each read took.'
    RelatedLinks = @('Get-FirewalldPort', 'Add-FirewalldPort')
}
