@{
    Synopsis     = 'Lists firewalld''s zones as objects: target, interfaces, sources, services, ports, forward ports, masquerade, rich rules.'
    Description  = @'
Get-FirewalldZone returns one FirewalldZone per zone of the runtime configuration (the running firewall), or of the
permanent one with -Permanent. Each has Name, Configuration, IsDefault, IsActive, Target, Interfaces, Sources,
Services, Ports, Protocols, ForwardPorts, Masquerade, Forward (null on firewalld 0.6), RichRules and Settings (every
key as firewall-cmd printed it).

An interface bound to no zone is in the default zone: on a Docker host the active zones may list only docker while
the outside interface silently uses the default zone.
'@
    Parameters   = @{
        Name      = 'Zone names; wildcards allowed. A name without wildcards that matches no zone is an InvalidZone error. All zones by default.'
        Permanent = 'Read the permanent configuration (what firewalld holds after the next reload) instead of the runtime one.'
    }
    Outputs      = @{ FirewalldZone = 'One per zone.' }
    Examples     = @(
        @{ Code = 'Get-FirewalldZone'; Remarks = 'Every runtime zone.' }
        @{ Code = 'Get-FirewalldZone public -Permanent | Select-Object -ExpandProperty Ports'; Remarks = 'The ports the public zone keeps after a reload.' }
        @{ Code = 'Get-FirewalldZone | Where-Object { $_.IsDefault -or $_.IsActive }'; Remarks = 'The zones that take traffic.' }
        @{ Code = 'try { Get-FirewalldZone nosuch -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }'; Remarks = 'InvalidZone,DockerHostTools.Commands.GetFirewalldZoneCommand.' }
    )
    Notes        = 'Stops with FirewalldNotRunning when firewalld does not run. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes. -Verbose lists what was read and how long each read took.'
    RelatedLinks = @('Get-FirewalldState', 'Get-FirewalldPort')
}
