export const AEROLITE_VERSION = '0.1.0'
