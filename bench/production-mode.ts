/**
 * Imported first by the API benchmarks: the server runs as the image runs it (docker/Dockerfile
 * sets NODE_ENV=production). graphql-js reads NODE_ENV once, when it is loaded: outside production
 * every `instanceOf` check of its executor also compares class names to catch two copies of the
 * library, which alone cost ~8 % of a 100-embryo cycle view's CPU (bench:api --profile).
 */
process.env.NODE_ENV ??= 'production';
