/** @tessera/http: the operator's HTTP surface of masters and agents (routes over Fastify). */
export {};
