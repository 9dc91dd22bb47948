// Why a record changed. Listeners (secondary indexes today; replication and XDR shipping next)
// act on some causes and not others: a replica write is not shipped again, an expiry is not a
// client delete.
export type ChangeCause = 'client' | 'udf' | 'touch' | 'replica' | 'migration' | 'xdr' | 'expiry' | 'eviction' | 'truncate' | 'job'
